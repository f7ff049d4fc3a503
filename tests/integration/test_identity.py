from datetime import timedelta

import pytest

from genesis_platform.kernel import AccessDenied, AuthenticationFailed, Conflict, InvalidInput, NotFound
from genesis_platform.kernel.audit.log import AuditQuery
from genesis_platform.kernel.identity.service import Grants
from genesis_platform.kernel.policy.model import Action


def test_suspended_user_is_denied_everything_at_once(platform, cast):
    rivera = cast["rivera"]  # authenticated before the suspension
    asset = platform.assets.register(rivera, kind="dataset", name="mine", project="p1")
    platform.identity.suspend(cast.admin, "rivera", "investigation")
    with pytest.raises(NotFound):
        platform.assets.get(rivera, asset.id)
    with pytest.raises(AccessDenied, match="vetted-users-only"):
        platform.identity.list_organisations(rivera)
    _, decision = platform.assets.decide(rivera, Action.DOWNLOAD, asset.id)
    assert not decision.allowed and "vetted-users-only" in decision.policies
    platform.identity.vet(cast.admin, "rivera", "cleared")
    assert platform.assets.get(rivera, asset.id).id == asset.id


def test_revoked_user_cannot_be_vetted_again_or_issued_tokens(platform, cast):
    platform.identity.revoke(cast.admin, "student", "left")
    with pytest.raises(Conflict, match="revoked"):
        platform.identity.vet(cast.admin, "student")
    with pytest.raises(InvalidInput, match="revoked"):
        platform.identity.issue_token(cast.admin, "student")


def test_pending_user_is_denied(platform, cast):
    platform.identity.add_user(
        cast.admin,
        username="newbie",
        display_name="N",
        email="n@x.org",
        organisation="University of Tennessee",
        us_person=True,
    )
    issued = platform.identity.issue_token(cast.admin, "newbie")
    newbie = platform.authenticate(issued.secret, "api")
    with pytest.raises(AccessDenied, match="vetted-users-only"):
        platform.identity.list_organisations(newbie)


def test_expired_token_is_refused_and_recorded(platform, cast, clock):
    issued = platform.identity.issue_token(cast.admin, "rivera", ttl=timedelta(hours=1))
    assert platform.authenticate(issued.secret, "api").user.username == "rivera"
    clock.advance(timedelta(hours=1, seconds=1))
    with pytest.raises(AuthenticationFailed):
        platform.authenticate(issued.secret, "api")
    refused = platform.audit.records(cast.admin, AuditQuery(action="authenticate", outcome="deny"))
    assert refused[-1].event.details == {"reason": "expired"}


def test_revoked_token_is_refused_at_once(platform, cast):
    issued = platform.identity.issue_token(cast["rivera"])
    platform.identity.revoke_token(cast["rivera"], issued.token.id)
    with pytest.raises(AuthenticationFailed):
        platform.authenticate(issued.secret, "api")
    with pytest.raises(InvalidInput, match="already revoked"):
        platform.identity.revoke_token(cast.admin, issued.token.id)


@pytest.mark.parametrize("token", ["", "nonsense", "gns_0123456789abcdef_" + "A" * 43])
def test_malformed_or_unknown_tokens_are_refused(platform, token):
    with pytest.raises(AuthenticationFailed):
        platform.authenticate(token, "api")


def test_wrong_secret_for_a_real_token_id_is_refused(platform, cast):
    issued = platform.identity.issue_token(cast["rivera"])
    forged = issued.secret[:-4] + ("AAAA" if not issued.secret.endswith("AAAA") else "BBBB")
    with pytest.raises(AuthenticationFailed):
        platform.authenticate(forged, "api")


def test_nobody_grants_privileges_to_themselves(platform, cast):
    with pytest.raises(AccessDenied, match="no-self-privilege"):
        platform.identity.grant(cast.admin, "admin", Grants(projects=["p9"]))
    with pytest.raises(AccessDenied, match="no-self-privilege"):
        platform.identity.vet(cast.admin, "admin")


def test_researchers_cannot_manage_identity_or_read_the_directory(platform, cast):
    with pytest.raises(AccessDenied):
        platform.identity.add_organisation(cast["rivera"], "Rogue Lab", "company", "USA")
    with pytest.raises(AccessDenied):
        platform.identity.list_users(cast["rivera"])
    with pytest.raises(AccessDenied):
        platform.identity.show_user(cast["rivera"], "brit")
    with pytest.raises(AccessDenied, match="read_directory"):
        platform.identity.show_user(cast["rivera"], "no-such-person")  # same answer as for a real person
    user, org = platform.identity.show_user(cast["rivera"])
    assert user.username == "rivera" and org.name == "Oak Ridge National Laboratory"


def test_clearance_needs_a_security_officer(platform, cast):
    platform.identity.grant(cast.admin, "officer", Grants(roles=["platform_admin"]))
    officer = cast["officer"]
    platform.identity.grant(officer, "rivera", Grants(clearance="secret"))
    with pytest.raises(AccessDenied):
        platform.identity.grant(cast["steward"], "rivera", Grants(clearance="top_secret"))
    assert platform.identity.show_user(cast.admin, "rivera")[0].clearance.value == "secret"


def test_duplicates_conflict_and_change_nothing(platform, cast):
    before = len(platform.identity.list_organisations(cast.admin))
    with pytest.raises(Conflict):
        platform.identity.add_organisation(cast.admin, "Oak Ridge National Laboratory", "national_laboratory", "USA")
    with pytest.raises(Conflict):
        platform.identity.add_user(
            cast.admin,
            username="rivera",
            display_name="R",
            email="r@x.org",
            organisation="University of Tennessee",
            us_person=True,
        )
    assert len(platform.identity.list_organisations(cast.admin)) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "Bad Name"}, "not a valid username"),
        ({"email": "nope"}, "email"),
        ({"organisation": "Nowhere"}, "no organisation"),
        ({"us_person": False}, "citizenship"),
        ({"citizenships": ["UK"]}, "alpha-3"),
        ({"roles": ["wizard"]}, "choose from"),
    ],
)
def test_bad_user_input_is_refused_and_adds_nobody(platform, cast, fields, message):
    before = len(platform.identity.list_users(cast.admin))
    args = {
        "username": "valid",
        "display_name": "V",
        "email": "v@x.org",
        "organisation": "University of Tennessee",
        "us_person": True,
    } | fields
    with pytest.raises((InvalidInput, NotFound), match=message):
        platform.identity.add_user(cast.admin, **args)
    assert len(platform.identity.list_users(cast.admin)) == before
