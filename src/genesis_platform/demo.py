"""`genesis demo`: a small platform with real people, organisations and markings, and what the policy decides.

Seeds a national laboratory, a university, a company working under a CRADA and a foreign partner; a vetted US
researcher, a foreign-national collaborator, an industry partner, a security officer and a suspended user;
registers a CUI//SP-EXPT//NOFORN dataset, a proprietary CRADA dataset and a public one; then asks the policy
engine a series of questions through the same services the CLI and API use, and verifies the audit chain.
Every step is authorised and audited like any other request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from genesis_platform.bootstrap import Platform
from genesis_platform.kernel.assets.markings import IPRestriction, Markings, UseStatus
from genesis_platform.kernel.audit.chain import VerificationReport
from genesis_platform.kernel.identity.model import Agreement, Principal
from genesis_platform.kernel.identity.service import Grants
from genesis_platform.kernel.policy.model import Action

__all__ = ["DemoResult", "DemoRow", "run_demo"]

CRADA = "CRADA:ORNL-ACME-2026-017"


@dataclass(frozen=True)
class DemoRow:
    """One request the demo asks the policy engine about.

    Attributes:
        user: who asks.
        who: what sort of person they are.
        action: what they ask to do.
        asset: a short name of the asset.
        marking: the asset's banner.
        allowed: the decision.
        policy: the deciding policy's id (`default-deny` when nothing permits it).
        reason: the deciding policy's words.
    """

    user: str
    who: str
    action: str
    asset: str
    marking: str
    allowed: bool
    policy: str
    reason: str


@dataclass(frozen=True)
class DemoResult:
    """What the demo built and found.

    Attributes:
        rows: the decisions, in order.
        verification: the audit chain verification at the end.
    """

    rows: list[DemoRow]
    verification: VerificationReport


def _person(platform: Platform, admin: Principal, username: str, **fields: object) -> Principal:
    grants = fields.pop("grants", None)
    platform.identity.add_user(admin, username=username, **fields)  # type: ignore[arg-type]
    if isinstance(grants, Grants):
        platform.identity.grant(admin, username, grants)
    platform.identity.vet(admin, username, "demo vetting")
    issued = platform.identity.issue_token(admin, username, label="demo", ttl=timedelta(days=1))
    return platform.authenticate(issued.secret, "internal")


def run_demo(platform: Platform, admin: Principal) -> DemoResult:
    """Seed the demo platform as `admin` and return the decisions and the audit verification."""
    ids = platform.identity
    ornl = ids.add_organisation(admin, "Oak Ridge National Laboratory", "national_laboratory", "USA")
    ids.add_organisation(admin, "University of Tennessee", "university", "USA")
    acme = ids.add_organisation(admin, "Acme Materials Inc.", "company", "USA")
    ids.add_organisation(admin, "UK Atomic Energy Authority", "foreign_partner", "GBR")

    rivera = _person(
        platform,
        admin,
        "rivera",
        display_name="Dr. Ana Rivera",
        email="rivera@ornl.gov",
        organisation=ornl.name,
        us_person=True,
        roles=["researcher"],
        grants=Grants(trainings=["cui", "export_control", "pii"], projects=["fusion-blanket", "alloy-fatigue"]),
    )
    patel = _person(
        platform,
        admin,
        "patel",
        display_name="Dr. Priya Patel",
        email="patel@ukaea.uk",
        organisation="UK Atomic Energy Authority",
        us_person=False,
        citizenships=["GBR"],
        roles=["external_collaborator"],
        grants=Grants(trainings=["cui", "export_control"], projects=["fusion-blanket"]),
    )
    chen = _person(
        platform,
        admin,
        "chen",
        display_name="Wei Chen",
        email="chen@acme.example",
        organisation=acme.name,
        us_person=True,
        roles=["researcher"],
        grants=Grants(agreements=[CRADA]),
    )
    morgan = _person(
        platform,
        admin,
        "morgan",
        display_name="Sam Morgan",
        email="morgan@ornl.gov",
        organisation=ornl.name,
        us_person=True,
        roles=["security_officer"],
        grants=Grants(trainings=["cui", "export_control"]),
    )
    lee = _person(
        platform,
        admin,
        "lee",
        display_name="Jordan Lee",
        email="lee@utk.edu",
        organisation="University of Tennessee",
        us_person=True,
        roles=["researcher"],
    )
    ids.suspend(admin, "lee", "demo: badge reported lost")

    neutronics = platform.assets.register(
        rivera,
        kind="dataset",
        name="Breeding-blanket neutronics benchmarks",
        description="Tritium breeding ratios from mock-up irradiations.",
        project="fusion-blanket",
        markings=Markings.from_banner("CUI//SP-EXPT//NOFORN", training_use=UseStatus.YES),
    )
    fatigue = platform.assets.register(
        rivera,
        kind="dataset",
        name="Alloy fatigue campaign (Acme CRADA)",
        description="Fatigue life of additively manufactured alloys, measured with Acme Materials.",
        project="alloy-fatigue",
        markings=Markings(
            ip_restriction=IPRestriction.PROPRIETARY,
            required_agreements=frozenset({Agreement.parse(CRADA)}),
            training_use=UseStatus.CONDITIONAL,
            inference_use=UseStatus.YES,
        ),
    )
    perovskite = platform.assets.register(
        rivera,
        kind="dataset",
        name="Perovskite film stability (published)",
        description="Degradation of perovskite films under humidity and light.",
        markings=Markings.from_banner("PUBLIC", training_use=UseStatus.YES),
    )

    people = {
        "rivera": (rivera, "US researcher, ORNL"),
        "patel": (patel, "foreign national (GBR)"),
        "chen": (chen, "industry partner, CRADA"),
        "morgan": (morgan, "security officer, ORNL"),
        "lee": (lee, "suspended user"),
    }
    questions = [
        ("rivera", Action.DOWNLOAD, neutronics),
        ("patel", Action.DISCOVER, neutronics),
        ("patel", Action.DOWNLOAD, perovskite),
        ("chen", Action.DOWNLOAD, fatigue),
        ("chen", Action.TRAIN, fatigue),
        ("patel", Action.DOWNLOAD, fatigue),
        ("chen", Action.READ_METADATA, neutronics),
        ("morgan", Action.ADMINISTER, neutronics),
        ("morgan", Action.DOWNLOAD, neutronics),
        ("lee", Action.DISCOVER, perovskite),
    ]
    short = {
        neutronics.id: "blanket neutronics",
        fatigue.id: "alloy fatigue (CRADA)",
        perovskite.id: "perovskite films",
    }
    rows: list[DemoRow] = []
    for username, action, asset in questions:
        principal, who = people[username]
        _, decision = platform.assets.decide(principal, action, asset.id)
        if decision.by_default:
            policy, reason = "default-deny", "No policy permits it: not the owner, not on the project, no agreement."
        else:
            info = platform.guard.policy.policies[decision.policies[0]]
            policy, reason = info.id, info.reason
        name = short[asset.id]
        rows.append(
            DemoRow(username, who, action.value, name, asset.markings.summary, decision.allowed, policy, reason)
        )
    platform.audit.checkpoint(admin)
    return DemoResult(rows, platform.audit.verify(admin))
