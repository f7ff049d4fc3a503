from datetime import timedelta

import pytest

from genesis_platform.kernel import AccessDenied, Conflict, InvalidInput, NotFound
from genesis_platform.kernel.assets.markings import parse_markings
from genesis_platform.kernel.audit.log import AuditQuery
from genesis_platform.kernel.identity.service import Grants
from genesis_platform.kernel.policy.model import Action


def _allowed(platform, who, action, asset_id) -> bool:
    return platform.assets.decide(who, action, asset_id)[1].allowed


@pytest.fixture
def controlled(platform, cast):
    """A CUI dataset of ORNL's project p1; 'partner' (Acme, not on p1) cannot download it."""
    return platform.assets.register(
        cast["rivera"], kind="dataset", name="c", project="p1", markings=parse_markings("CUI//SP-PRVCY")
    )


def test_request_approve_use_and_expire(platform, cast, clock, controlled):
    partner = cast["partner"]
    assert not _allowed(platform, partner, Action.DOWNLOAD, controlled.id)
    made = platform.access.request(partner, controlled.id, ["download"], "fatigue model validation under the CRADA")
    assert made.state.value == "pending"
    approved = platform.access.approve(cast["steward"], made.id, ttl=timedelta(days=30), note="for validation only")
    assert approved.expires_at == clock.now() + timedelta(days=30)
    decision = platform.assets.decide(partner, Action.DOWNLOAD, controlled.id)[
        1
    ]  # the old principal object is refreshed
    assert decision.allowed and decision.policies == ("granted-download",)
    assert not _allowed(platform, partner, Action.TRAIN, controlled.id)
    clock.advance(timedelta(days=30, seconds=1))
    assert not _allowed(platform, partner, Action.DOWNLOAD, controlled.id)  # lapsed by itself
    actions = [
        r.event.action for r in platform.audit.records(cast.admin, AuditQuery(resource=f'Asset::"{controlled.id}"'))
    ]
    assert "access.request" in actions and "access.approve" in actions


def test_a_grant_never_reaches_past_a_marking(platform, cast):
    pii = platform.assets.register(
        cast["rivera"], kind="dataset", name="p", markings=parse_markings("UNCLASSIFIED", pii=True)
    )
    outsider = cast["german"]  # may see it, is not PII-trained
    made = platform.access.request(outsider, pii.id, ["download"], "need it")
    platform.access.approve(cast["officer"], made.id)
    denied = platform.assets.decide(outsider, Action.DOWNLOAD, pii.id)[1]
    assert not denied.allowed and denied.policies == ("pii-training",)
    platform.identity.grant(cast.admin, "german", Grants(trainings=["pii"]))
    assert platform.assets.decide(outsider, Action.DOWNLOAD, pii.id)[1].policies == ("granted-download",)


def test_agreement_condition_activates_the_grant_only_once_signed(platform, cast, controlled):
    made = platform.access.request(cast["partner"], controlled.id, ["download", "train"], "model training")
    platform.access.approve(cast["steward"], made.id, agreement="DUA:ORNL-ACME-7")
    assert not _allowed(platform, cast["partner"], Action.DOWNLOAD, controlled.id)
    platform.identity.grant(cast.admin, "partner", Grants(agreements=["DUA:ORNL-ACME-7"]))
    assert _allowed(platform, cast["partner"], Action.DOWNLOAD, controlled.id)


def test_revoke_takes_effect_at_once_and_states_are_enforced(platform, cast, controlled):
    made = platform.access.request(cast["partner"], controlled.id, ["download"], "x")
    with pytest.raises(Conflict, match="already pending"):
        platform.access.request(cast["partner"], controlled.id, ["download"], "again")
    with pytest.raises(AccessDenied):
        platform.access.approve(cast["student"], made.id)  # a researcher cannot decide
    platform.access.approve(cast["steward"], made.id)
    assert _allowed(platform, cast["partner"], Action.DOWNLOAD, controlled.id)
    with pytest.raises(Conflict, match="approved, not pending"):
        platform.access.approve(cast["steward"], made.id)
    with pytest.raises(InvalidInput, match="say why"):
        platform.access.revoke(cast["steward"], made.id, "")
    platform.access.revoke(cast["steward"], made.id, "project ended")
    assert not _allowed(platform, cast["partner"], Action.DOWNLOAD, controlled.id)
    with pytest.raises(Conflict):
        platform.access.revoke(cast["steward"], made.id, "again")


def test_nobody_approves_their_own_request(platform, cast, controlled):
    made = platform.access.request(cast["steward"], controlled.id, ["download"], "mine")
    with pytest.raises(AccessDenied, match="own access request"):
        platform.access.approve(cast["steward"], made.id)


def test_deny_withdraw_and_listing(platform, cast, controlled):
    first = platform.access.request(cast["partner"], controlled.id, ["download"], "a")
    second = platform.access.request(cast["student"], controlled.id, ["train"], "b")
    with pytest.raises(InvalidInput, match="say why"):
        platform.access.deny(cast["steward"], first.id, " ")
    platform.access.deny(cast["steward"], first.id, "no agreement in place")
    platform.access.withdraw(cast["student"], second.id)
    with pytest.raises(NotFound):
        platform.access.withdraw(cast["partner"], second.id)  # not theirs
    assert {r.id for r in platform.access.list(cast["partner"])} == {first.id}
    assert {r.id for r in platform.access.list(cast["steward"])} == {first.id, second.id}
    assert platform.access.list(cast["german"]) == []
    assert {r.state.value for r in platform.access.list(cast["steward"], "denied")} == {"denied"}
    with pytest.raises(InvalidInput, match="state"):
        platform.access.list(cast["steward"], "lost")


def test_bad_requests_are_refused(platform, cast, controlled):
    hidden = platform.assets.register(
        cast["rivera"], kind="dataset", name="nf", markings=parse_markings("CUI//SP-PRVCY//NOFORN")
    )
    with pytest.raises(NotFound):
        platform.access.request(cast["brit"], hidden.id, ["download"], "please")  # cannot learn it exists
    with pytest.raises(InvalidInput, match="ask for one or more"):
        platform.access.request(cast["partner"], controlled.id, ["teleport"], "x")
    with pytest.raises(InvalidInput, match="say why"):
        platform.access.request(cast["partner"], controlled.id, ["download"], "")
    with pytest.raises(NotFound):
        platform.access.approve(cast["steward"], "acc-missing")
    made = platform.access.request(cast["partner"], controlled.id, ["download"], "x")
    with pytest.raises(InvalidInput, match="between 1 day"):
        platform.access.approve(cast["steward"], made.id, ttl=timedelta(days=400))
    with pytest.raises(InvalidInput, match="agreement kind"):
        platform.access.approve(cast["steward"], made.id, agreement="HANDSHAKE")
