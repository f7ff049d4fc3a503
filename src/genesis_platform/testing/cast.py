"""A standard cast for tests and benchmarks: organisations of every kind and people with every attribute.

Built through the real services (authorised and audited), so tests that use it exercise the kernel too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from genesis_platform.bootstrap import Platform
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.identity.service import Grants

__all__ = ["PEOPLE", "Cast", "build_cast"]

ORGANISATIONS = [
    ("DOE Office of Science", "federal_agency", "USA"),
    ("Oak Ridge National Laboratory", "national_laboratory", "USA"),
    ("University of Tennessee", "university", "USA"),
    ("Acme Materials Inc.", "company", "USA"),
    ("UK Atomic Energy Authority", "foreign_partner", "GBR"),
    ("Max Planck Institute", "foreign_partner", "DEU"),
]

# username: (organisation, us_person, citizenships, roles, grants)
PEOPLE: dict[str, tuple[str, bool, list[str], list[str], Grants]] = {
    "fed": ("DOE Office of Science", True, [], ["researcher"], Grants(trainings=["cui"], projects=["p1"])),
    "rivera": (
        "Oak Ridge National Laboratory",
        True,
        [],
        ["researcher"],
        Grants(trainings=["cui", "export_control", "pii", "phi", "ucni"], projects=["p1"]),
    ),
    "untrained": ("Oak Ridge National Laboratory", True, [], ["researcher"], Grants(projects=["p1"])),
    "cleared": (
        "Oak Ridge National Laboratory",
        True,
        [],
        ["researcher"],
        Grants(trainings=["cui"], projects=["p1"], clearance="top_secret", compartments=["RD"]),
    ),
    "secret": (
        "Oak Ridge National Laboratory",
        True,
        [],
        ["researcher"],
        Grants(trainings=["cui"], projects=["p1"], clearance="secret"),
    ),
    "colleague": ("Oak Ridge National Laboratory", True, [], ["researcher"], Grants(trainings=["cui"])),
    "student": ("University of Tennessee", True, [], ["researcher"], Grants(trainings=["cui"], projects=["p1"])),
    "partner": (
        "Acme Materials Inc.",
        True,
        [],
        ["researcher"],
        Grants(trainings=["cui"], agreements=["CRADA:ORNL-ACME-1"]),
    ),
    "brit": (
        "UK Atomic Energy Authority",
        False,
        ["GBR"],
        ["external_collaborator"],
        Grants(trainings=["cui", "export_control", "pii"], projects=["p1"]),
    ),
    "german": (
        "Max Planck Institute",
        False,
        ["DEU"],
        ["external_collaborator"],
        Grants(trainings=["cui", "export_control"], projects=["p1"]),
    ),
    "officer": (
        "Oak Ridge National Laboratory",
        True,
        [],
        ["security_officer"],
        Grants(trainings=["cui", "export_control"]),
    ),
    "steward": ("Oak Ridge National Laboratory", True, [], ["data_steward"], Grants(trainings=["cui"])),
}


@dataclass
class Cast:
    """The people of a test platform, authenticated.

    Attributes:
        admin: the administrator `genesis init` created.
        people: principal by username.
        tokens: token text by username.
        organisations: organisation id by name.
    """

    admin: Principal
    people: dict[str, Principal] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    organisations: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, username: str) -> Principal:
        return self.people[username]


def build_cast(platform: Platform, admin: Principal, admin_token: str, channel: str = "internal") -> Cast:
    """Create the standard organisations and people (all vetted) through the services."""
    cast = Cast(admin=admin, tokens={"admin": admin_token})
    for name, kind, country in ORGANISATIONS:
        cast.organisations[name] = platform.identity.add_organisation(admin, name, kind, country).id
    for username, (org, us_person, citizenships, roles, grants) in PEOPLE.items():
        platform.identity.add_user(
            admin,
            username=username,
            display_name=username.title(),
            email=f"{username}@example.org",
            organisation=org,
            us_person=us_person,
            citizenships=citizenships,
            roles=roles,
        )
        if not grants.empty:
            platform.identity.grant(admin, username, grants)
        platform.identity.vet(admin, username)
        issued = platform.identity.issue_token(admin, username, label="test", ttl=timedelta(days=1))
        cast.tokens[username] = issued.secret
        cast.people[username] = platform.authenticate(issued.secret, channel)
    return cast
