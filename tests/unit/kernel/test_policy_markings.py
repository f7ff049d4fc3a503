"""For every marking: a request it allows and one it denies, each for the right reason (the deciding policy).

The policy engine is exercised directly on domain objects; `tests/e2e` repeats representative cases through
every front door.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from genesis_platform.kernel.assets.markings import Markings, parse_markings
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.identity.model import (
    Agreement,
    Clearance,
    Organisation,
    OrganisationKind,
    Principal,
    Role,
    Training,
    User,
    VettingStatus,
)
from genesis_platform.kernel.policy.engine import PolicyEngine
from genesis_platform.kernel.policy.model import PLATFORM, Action

NOW = datetime(2026, 11, 25, tzinfo=UTC)
ENGINE = PolicyEngine.default()

ORGS = {
    "agency": Organisation(
        id="o-agency", name="DOE", kind=OrganisationKind.FEDERAL_AGENCY, country="USA", created_at=NOW
    ),
    "lab": Organisation(
        id="o-lab", name="ORNL", kind=OrganisationKind.NATIONAL_LABORATORY, country="USA", created_at=NOW
    ),
    "uni": Organisation(id="o-uni", name="UTK", kind=OrganisationKind.UNIVERSITY, country="USA", created_at=NOW),
    "company": Organisation(id="o-co", name="Acme", kind=OrganisationKind.COMPANY, country="USA", created_at=NOW),
    "uk": Organisation(id="o-uk", name="UKAEA", kind=OrganisationKind.FOREIGN_PARTNER, country="GBR", created_at=NOW),
    "de": Organisation(id="o-de", name="MPI", kind=OrganisationKind.FOREIGN_PARTNER, country="DEU", created_at=NOW),
}
ALL_TRAININGS = frozenset(Training)


_ids = itertools.count()


def person(
    name: str,
    org: str = "lab",
    *,
    us: bool = True,
    cits: tuple[str, ...] = (),
    trainings: frozenset[Training] = ALL_TRAININGS,
    projects: tuple[str, ...] = ("p1",),
    clearance: Clearance = Clearance.NONE,
    compartments: tuple[str, ...] = (),
    agreements: tuple[str, ...] = (),
    roles: tuple[Role, ...] = (Role.RESEARCHER,),
    vetting: VettingStatus = VettingStatus.VETTED,
) -> Principal:
    # Every distinct person gets a distinct id, as on the platform (cached entities key on id and version).
    user = User(
        id=f"u-{name}" if name in {"listed", "owner"} else f"u-{name}-{next(_ids)}",
        username=name,
        display_name=name,
        email=f"{name}@example.org",
        organisation_id=ORGS[org].id,
        vetting=vetting,
        us_person=us,
        citizenships=frozenset(cits or (("USA",) if us else ())),
        clearance=clearance,
        compartments=frozenset(compartments),
        trainings=trainings,
        agreements=frozenset(Agreement.parse(a) for a in agreements),
        projects=frozenset(projects),
        roles=frozenset(roles),
        created_at=NOW,
    )
    return Principal(user=user, organisation=ORGS[org])


OWNER = person("owner")


def asset(markings: Markings, *, project: str | None = "p1", org: str = "lab") -> GovernedAsset:
    return GovernedAsset(
        id=f"a-{next(_ids)}",
        kind="dataset",
        name="asset",
        owner_id=OWNER.user.id,
        organisation_id=ORGS[org].id,
        project=project,
        markings=markings,
        created_at=NOW,
        updated_at=NOW,
    )


@dataclass(frozen=True)
class Case:
    marking: str
    markings: Markings
    action: Action
    allowed: Principal
    denied: Principal
    forbid: str  # the policy that must deny
    project: str | None = "p1"


M = parse_markings
CASES = [
    Case(
        "Public",
        M("PUBLIC"),
        Action.DOWNLOAD,
        person("stranger", "de", us=False, cits=("DEU",), projects=()),
        person("pending", vetting=VettingStatus.PENDING),
        "vetted-users-only",
        project=None,
    ),
    Case(
        "suspended user",
        M("PUBLIC"),
        Action.DISCOVER,
        person("ok"),
        person("suspended", vetting=VettingStatus.SUSPENDED),
        "vetted-users-only",
    ),
    Case(
        "revoked user",
        M("UNCLASSIFIED"),
        Action.DISCOVER,
        person("ok"),
        person("revoked", vetting=VettingStatus.REVOKED),
        "vetted-users-only",
    ),
    Case(
        "CUI",
        M("CUI//SP-PRVCY"),
        Action.DOWNLOAD,
        person("trained"),
        person("untrained", trainings=frozenset()),
        "cui-training",
    ),
    Case(
        "Classified Secret",
        M("SECRET"),
        Action.DOWNLOAD,
        person("sec", clearance=Clearance.SECRET),
        person("conf", clearance=Clearance.CONFIDENTIAL),
        "clearance-level",
    ),
    Case(
        "Classified RD",
        M("SECRET//RD"),
        Action.READ_METADATA,
        person("qcleared", clearance=Clearance.TOP_SECRET, compartments=("RD",)),
        person("tsonly", clearance=Clearance.TOP_SECRET),
        "clearance-access",
    ),
    Case(
        "NOFORN",
        M("CUI//SP-PRVCY//NOFORN"),
        Action.DISCOVER,
        person("us"),
        person("brit", "uk", us=False, cits=("GBR",)),
        "noforn",
    ),
    Case(
        "REL TO",
        M("CUI//SP-PRVCY//REL TO USA, GBR"),
        Action.DOWNLOAD,
        person("brit", "uk", us=False, cits=("GBR",)),
        person("german", "de", us=False, cits=("DEU",)),
        "rel-to",
    ),
    Case(
        "DISPLAY ONLY (content)",
        M("CUI//SP-PRVCY//DISPLAY ONLY GBR"),
        Action.DOWNLOAD,
        person("us"),
        person("brit", "uk", us=False, cits=("GBR",)),
        "display-only-countries",
    ),
    Case(
        "DISPLAY ONLY (others)",
        M("CUI//SP-PRVCY//DISPLAY ONLY GBR"),
        Action.READ_METADATA,
        person("brit", "uk", us=False, cits=("GBR",)),
        person("german", "de", us=False, cits=("DEU",)),
        "display-only-others",
    ),
    Case(
        "FEDCON",
        M("CUI//SP-PRVCY//FEDCON"),
        Action.DOWNLOAD,
        person("labber", "lab"),
        person("acme", "company"),
        "fedcon",
    ),
    Case(
        "NOCON", M("CUI//SP-PRVCY//NOCON"), Action.DOWNLOAD, person("fed", "agency"), person("labber", "lab"), "nocon"
    ),
    Case(
        "DL ONLY",
        M("CUI//SP-PRVCY//DL ONLY", dissemination_list=["u-listed", "org:o-agency"]),
        Action.DISCOVER,
        person("listed"),
        person("unlisted"),
        "dissemination-list",
    ),
    Case(
        "UCNI",
        M("UCNI"),
        Action.DOWNLOAD,
        person("us"),
        person("brit", "uk", us=False, cits=("GBR",)),
        "ucni-us-persons",
    ),
    Case(
        "UCNI training",
        M("UCNI"),
        Action.DOWNLOAD,
        person("us"),
        person("untrained", trainings=frozenset({Training.CUI})),
        "ucni-us-persons",
    ),
    Case(
        "export control ITAR",
        M("UNCLASSIFIED", export_control="ITAR"),
        Action.DOWNLOAD,
        person("us"),
        person("brit", "uk", us=False, cits=("GBR",)),
        "export-control-foreign-nationals",
    ),
    Case(
        "export control training",
        M("UNCLASSIFIED", export_control="EAR", foreign_national_access="Allowed"),
        Action.DOWNLOAD,
        person("brit", "uk", us=False, cits=("GBR",)),
        person("untrained", trainings=frozenset({Training.CUI})),
        "export-control-training",
    ),
    Case(
        "CUI SP-EXPT",
        M("CUI//SP-EXPT"),
        Action.DOWNLOAD,
        person("us"),
        person("brit", "uk", us=False, cits=("GBR",)),
        "export-control-foreign-nationals",
    ),
    Case(
        "PII",
        M("UNCLASSIFIED", pii=True),
        Action.DOWNLOAD,
        person("trained"),
        person("untrained", trainings=frozenset({Training.CUI})),
        "pii-training",
    ),
    Case(
        "PHI",
        M("UNCLASSIFIED", phi=True),
        Action.TRAIN,
        person("trained"),
        person("untrained", trainings=frozenset({Training.PII})),
        "phi-training",
    ),
    Case(
        "IP restriction",
        M("UNCLASSIFIED", ip_restriction="Proprietary"),
        Action.DOWNLOAD,
        person("colleague"),
        person("outsider", "uni"),
        "intellectual-property",
    ),
    Case(
        "required agreement",
        M("UNCLASSIFIED", ip_restriction="Proprietary", required_agreements=["CRADA:X-1"]),
        Action.DOWNLOAD,
        person("signer", "company", projects=(), agreements=("CRADA:X-1",)),
        person("outsider", "uni", agreements=("CRADA:OTHER",)),
        "agreements-required",
    ),
    Case(
        "embargo",
        M("UNCLASSIFIED", embargo_until=date(2027, 1, 1)),
        Action.DOWNLOAD,
        person("member"),
        person("colleague", projects=()),
        "embargo",
    ),
    Case("training use No", M("PUBLIC", training_use="No"), Action.INFER, OWNER, OWNER, "training-use-prohibited"),
    Case(
        "training use Conditional",
        M("UNCLASSIFIED", training_use="Conditional", required_agreements=["DUA"]),
        Action.TRAIN,
        person("member"),
        person("signer", "uni", projects=(), agreements=("DUA:D-9",)),
        "training-use-conditional",
    ),
    Case(
        "inference use No",
        M("PUBLIC", inference_use="No"),
        Action.DOWNLOAD,
        person("any", projects=()),
        person("any", projects=()),
        "inference-use-prohibited",
    ),
    Case(
        "inference use Conditional",
        M("PUBLIC", inference_use="Conditional"),
        Action.INFER,
        person("member"),
        person("stranger", "uni", projects=()),
        "inference-use-conditional",
    ),
    Case(
        "evaluation use No",
        M("PUBLIC", evaluation_use="No"),
        Action.DOWNLOAD,
        person("any", projects=()),
        person("any", projects=()),
        "evaluation-use-prohibited",
    ),
    Case(
        "evaluation use Conditional",
        M("PUBLIC", evaluation_use="Conditional"),
        Action.EVALUATE,
        person("member"),
        person("stranger", "uni", projects=()),
        "evaluation-use-conditional",
    ),
]
# The denied request of the use-status cases is the action the status governs.
DENIED_ACTION = {
    "training use No": Action.TRAIN,
    "inference use No": Action.INFER,
    "evaluation use No": Action.EVALUATE,
}


@pytest.mark.parametrize("case", CASES, ids=[c.marking for c in CASES])
def test_marking_allows_one_request_and_denies_another_for_its_reason(case: Case) -> None:
    target = asset(case.markings, project=case.project)
    allowed = ENGINE.decide(case.allowed, case.action, target, NOW)
    assert allowed.allowed, (case.marking, allowed)
    assert not set(allowed.policies) & {p.id for p in ENGINE.policies.values() if p.effect == "forbid"}
    denied = ENGINE.decide(case.denied, DENIED_ACTION.get(case.marking, case.action), target, NOW)
    assert not denied.allowed
    assert case.forbid in denied.policies, (case.marking, denied)


def test_every_forbid_policy_is_exercised_by_the_marking_cases() -> None:
    covered = {c.forbid for c in CASES}
    forbids = {p.id for p in ENGINE.policies.values() if p.effect == "forbid"}
    # These three concern platform actions and registration; tests in tests/integration cover them.
    assert forbids - covered == {"no-self-privilege", "register-in-own-organisation", "owner-does-not-re-mark"}


def test_embargo_lifts_on_its_date() -> None:
    target = asset(M("UNCLASSIFIED", embargo_until=date(2027, 1, 1)))
    colleague = person("colleague", projects=())
    assert not ENGINE.decide(colleague, Action.DOWNLOAD, target, NOW).allowed
    assert ENGINE.decide(colleague, Action.DOWNLOAD, target, datetime(2027, 1, 1, tzinfo=UTC)).allowed


def test_unknown_training_use_is_treated_as_conditional() -> None:
    target = asset(M("PUBLIC"))
    assert target.markings.training_use is None
    assert ENGINE.decide(person("member"), Action.TRAIN, target, NOW).allowed
    denied = ENGINE.decide(person("stranger", "uni", projects=()), Action.TRAIN, target, NOW)
    assert denied.policies == ("training-use-conditional",)


def test_metadata_of_a_pii_asset_is_visible_without_pii_training_but_content_is_not() -> None:
    target = asset(M("UNCLASSIFIED", pii=True))
    untrained = person("untrained", trainings=frozenset())
    assert ENGINE.decide(untrained, Action.READ_METADATA, target, NOW).allowed
    assert not ENGINE.decide(untrained, Action.DOWNLOAD, target, NOW).allowed


def test_controlled_asset_of_own_organisation_needs_the_project() -> None:
    target = asset(M("CUI//SP-PRVCY"))
    assert not ENGINE.decide(person("colleague", projects=()), Action.DOWNLOAD, target, NOW).allowed
    assert ENGINE.decide(person("colleague", projects=()), Action.READ_METADATA, target, NOW).allowed


def test_default_deny_has_no_deciding_policy_and_lists_candidates() -> None:
    decision = ENGINE.decide(person("outsider", "uni", projects=()), Action.DOWNLOAD, asset(M("UNCLASSIFIED")), NOW)
    assert decision.by_default and decision.policies == ()
    candidates = {p.id for p in ENGINE.permits_for(Action.DOWNLOAD)}
    assert {"owner", "project-members", "organisation-members", "agreement-parties", "public-content"} <= candidates
    assert "vetted-discovery" not in candidates


def test_platform_actions_follow_roles() -> None:
    officer = person("officer", roles=(Role.SECURITY_OFFICER,))
    researcher = person("researcher")
    assert ENGINE.decide(officer, Action.READ_AUDIT, PLATFORM, NOW).allowed
    assert not ENGINE.decide(researcher, Action.READ_AUDIT, PLATFORM, NOW).allowed
    assert ENGINE.decide(researcher, Action.LIST_ORGANISATIONS, PLATFORM, NOW).allowed
    assert ENGINE.decide(researcher, Action.READ_PROFILE, researcher.user, NOW).allowed
    assert not ENGINE.decide(researcher, Action.READ_PROFILE, officer.user, NOW).allowed
    self_vet = ENGINE.decide(officer, Action.VET, officer.user, NOW)
    assert not self_vet.allowed and self_vet.policies == ("no-self-privilege",)


def test_cached_entities_follow_a_new_version() -> None:
    target = asset(M("PUBLIC"))
    before = person("member")
    assert ENGINE.decide(before, Action.DOWNLOAD, target, NOW).allowed
    after = before.model_copy(
        update={"user": before.user.model_copy(update={"vetting": VettingStatus.SUSPENDED, "version": 2})}
    )
    assert not ENGINE.decide(after, Action.DOWNLOAD, target, NOW).allowed


def test_concurrent_decisions_with_evicting_caches_stay_correct(monkeypatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from genesis_platform.kernel.policy import engine as engine_module

    monkeypatch.setattr(engine_module, "_PAIRS", 8)
    monkeypatch.setattr(engine_module, "_BASES", 2)
    local = PolicyEngine.default()
    people = [person(f"user{i}") for i in range(6)] + [
        person(f"brit{i}", "uk", us=False, cits=("GBR",)) for i in range(3)
    ]
    assets = [asset(M("CUI//SP-PRVCY//NOFORN")) for _ in range(40)]

    def work(i: int) -> bool:
        who = people[i % len(people)]
        decision = local.decide(who, Action.DOWNLOAD, assets[i % len(assets)], NOW)
        return decision.allowed == who.user.us_person

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(4000)))


def test_a_candidate_is_judged_on_its_own_markings_not_the_cached_ones() -> None:
    stored = asset(M("PUBLIC"))
    stranger = person("stranger", "de", us=False, cits=("DEU",), projects=())
    assert ENGINE.decide(stranger, Action.DOWNLOAD, stored, NOW).allowed
    candidate = stored.model_copy(update={"markings": M("CUI//SP-PRVCY//NOFORN")})  # same id, same version
    assert not ENGINE.decide(stranger, Action.DOWNLOAD, candidate, NOW).allowed


def test_a_grant_permits_its_action_until_it_expires() -> None:
    from datetime import timedelta

    from genesis_platform.kernel.identity.model import Grant

    target = asset(M("UNCLASSIFIED"))
    outsider = person("outsider", "uni", projects=())
    granted = outsider.model_copy(
        update={"grants": frozenset({Grant(asset_id=target.id, action="download", expires_at=NOW + timedelta(days=1))})}
    )
    assert not ENGINE.decide(outsider, Action.DOWNLOAD, target, NOW).allowed
    assert ENGINE.decide(granted, Action.DOWNLOAD, target, NOW).policies == ("granted-download",)
    assert not ENGINE.decide(granted, Action.TRAIN, target, NOW).allowed
    assert not ENGINE.decide(granted, Action.DOWNLOAD, target, NOW + timedelta(days=1)).allowed
