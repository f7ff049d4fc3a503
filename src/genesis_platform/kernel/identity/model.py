"""People and organisations: who may use the platform, and what the policy engine knows about them.

EO 14363 §5(c)(iv) asks for "the highest standard of vetting and authorisation of users and collaborators".
A user's lifecycle under vetting:

    pending ──vet──▶ vetted ──suspend──▶ suspended ──vet──▶ vetted
       │               │                     │
       └────revoke─────┴────────revoke───────┴──▶ revoked   (final)

Only a `vetted` user is allowed anything; the policy forbids every action to the others, so suspending a user
takes effect on their next request.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from genesis_platform.kernel.errors import Conflict

__all__ = [
    "Agreement",
    "AgreementKind",
    "ApiToken",
    "Clearance",
    "CountryCode",
    "Grant",
    "Organisation",
    "OrganisationKind",
    "Principal",
    "Role",
    "Training",
    "User",
    "VettingStatus",
    "next_vetting_status",
]

_COUNTRY = re.compile(r"^[A-Z]{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")


def _country(value: str) -> str:
    value = value.strip().upper()
    if not _COUNTRY.match(value):
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-3 country code (e.g. USA, GBR, DEU)")
    return value


def _username(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(
            f"{value!r} is not a valid username: 2-64 characters, lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter"
        )
    return value


CountryCode = Annotated[str, AfterValidator(_country)]
"""An ISO 3166-1 alpha-3 country code, upper case."""

Username = Annotated[str, AfterValidator(_username)]


class OrganisationKind(StrEnum):
    """Kinds of organisation that take part in the platform (EO 14363 §1, §5(c))."""

    FEDERAL_AGENCY = "federal_agency"
    NATIONAL_LABORATORY = "national_laboratory"
    UNIVERSITY = "university"
    COMPANY = "company"
    FOREIGN_PARTNER = "foreign_partner"


class VettingStatus(StrEnum):
    """Where a user stands in vetting; see the module docstring for the lifecycle."""

    PENDING = "pending"
    VETTED = "vetted"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class Clearance(StrEnum):
    """Security clearance levels (EO 13526), ordered by `rank`."""

    NONE = "none"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"
    TOP_SECRET = "top_secret"

    @property
    def rank(self) -> int:
        """0 for none up to 3 for top secret; compared with an asset's classification rank."""
        return list(Clearance).index(self)


class Role(StrEnum):
    """What a person does on the platform."""

    PLATFORM_ADMIN = "platform_admin"
    SECURITY_OFFICER = "security_officer"
    DATA_STEWARD = "data_steward"
    RESEARCHER = "researcher"
    EVALUATOR = "evaluator"
    EXTERNAL_COLLABORATOR = "external_collaborator"


class Training(StrEnum):
    """Completed trainings that markings require (CUI, UCNI, PII, PHI, export control)."""

    CUI = "cui"
    UCNI = "ucni"
    PII = "pii"
    PHI = "phi"
    EXPORT_CONTROL = "export_control"


class AgreementKind(StrEnum):
    """Agreement types of the Genesis data card (`AgreementTypeEnum`) and EO 14363 §5(c)(i)."""

    DUA = "DUA"
    CRADA = "CRADA"
    MOU = "MOU"
    NDA = "NDA"
    LICENSE = "LICENSE"
    WFO = "WFO"
    OTHER = "OTHER"


class Agreement(BaseModel):
    """A signed agreement, or one an asset requires.

    An asset that requires `CRADA` accepts any signed CRADA; one that requires `CRADA:ORNL-ACME-2026` accepts
    only that one.

    Attributes:
        kind: the agreement type.
        reference: the agreement's own identifier, if a specific one is meant.
    """

    model_config = ConfigDict(frozen=True)

    kind: AgreementKind
    reference: str | None = Field(default=None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._/-]+$")

    @classmethod
    def parse(cls, text: str) -> Agreement:
        """Parse `KIND` or `KIND:REFERENCE` (e.g. `CRADA:ORNL-ACME-2026`).

        Raises:
            ValueError: the kind is unknown or the reference malformed.
        """
        kind, _, reference = text.strip().partition(":")
        try:
            agreement_kind = AgreementKind(kind.upper())
        except ValueError:
            known = ", ".join(k.value for k in AgreementKind)
            raise ValueError(f"unknown agreement kind {kind!r}; use one of {known}") from None
        return cls(kind=agreement_kind, reference=reference or None)

    def __str__(self) -> str:
        return self.kind.value if self.reference is None else f"{self.kind.value}:{self.reference}"


class Organisation(BaseModel):
    """An organisation whose people use the platform.

    Attributes:
        id: stable identifier.
        name: unique display name.
        kind: what sort of organisation it is; FEDCON/NOCON markings read it.
        country: ISO 3166-1 alpha-3 code of where it is established.
        created_at: when it was added.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind
    country: CountryCode
    created_at: datetime


class User(BaseModel):
    """A person with an account, and every attribute the policy engine reads about them.

    Attributes:
        id: stable identifier.
        username: unique login name.
        display_name: the person's name.
        email: contact address.
        organisation_id: the organisation they belong to.
        vetting: vetting status; only `vetted` users are allowed anything.
        us_person: a US citizen or lawful permanent resident (export control, NOFORN).
        citizenships: ISO alpha-3 codes of every citizenship held (REL TO, DISPLAY ONLY).
        clearance: clearance level.
        compartments: special access held, e.g. RD, FRD, TFNI.
        trainings: completed trainings.
        agreements: signed agreements.
        projects: projects the person works on (need to know).
        roles: what the person does on the platform.
        version: bumped on every change; cached policy entities key on it.
        created_at: when the account was made.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    username: Username
    display_name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    organisation_id: str
    vetting: VettingStatus = VettingStatus.PENDING
    us_person: bool = False
    citizenships: frozenset[CountryCode] = frozenset()
    clearance: Clearance = Clearance.NONE
    compartments: frozenset[str] = frozenset()
    trainings: frozenset[Training] = frozenset()
    agreements: frozenset[Agreement] = frozenset()
    projects: frozenset[str] = frozenset()
    roles: frozenset[Role] = frozenset()
    version: int = 1
    created_at: datetime


class Grant(BaseModel):
    """Access to one asset for one action, given by approving an access request.

    Attributes:
        asset_id: the asset.
        action: the policy action granted (`download`, `train`, ...).
        expires_at: when the grant lapses by itself, if ever.
        agreement: an agreement the user must hold for the grant to count (a condition of approval).
    """

    model_config = ConfigDict(frozen=True)

    asset_id: str
    action: str
    expires_at: datetime | None = None
    agreement: Agreement | None = None

    def active(self, user: User, now: datetime) -> bool:
        """Whether the grant counts at `now` for `user` (not expired, condition met)."""
        if self.expires_at is not None and now >= self.expires_at:
            return False
        if self.agreement is None:
            return True
        held = {str(a) for a in user.agreements} | {a.kind.value for a in user.agreements}
        return str(self.agreement) in held


class Principal(BaseModel):
    """The authenticated caller of a use case: a user, their organisation and the front door used.

    Attributes:
        user: the acting user, as stored now.
        organisation: the user's organisation.
        channel: the front door the request came through (`cli`, `api`, `mcp`, `internal`); recorded in audit.
        grants: access granted on request (whether each counts is decided at each request's time).
    """

    model_config = ConfigDict(frozen=True)

    user: User
    organisation: Organisation
    channel: str = "internal"
    grants: frozenset[Grant] = frozenset()

    def active_grants(self, now: datetime) -> frozenset[Grant]:
        """The grants that count at `now`."""
        return frozenset(g for g in self.grants if g.active(self.user, now))


class ApiToken(BaseModel):
    """A bearer token's stored record; the secret itself is never stored, only its argon2 hash.

    Attributes:
        id: public identifier, embedded in the token string.
        user_id: whose token it is.
        label: what it is for.
        created_at: when it was issued.
        expires_at: when it stops working.
        revoked_at: when it was revoked, if it was.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    user_id: str
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        """Whether the token authenticates at `now`."""
        return self.revoked_at is None and now < self.expires_at


_TRANSITIONS: dict[tuple[VettingStatus, str], VettingStatus] = {
    (VettingStatus.PENDING, "vet"): VettingStatus.VETTED,
    (VettingStatus.SUSPENDED, "vet"): VettingStatus.VETTED,
    (VettingStatus.VETTED, "suspend"): VettingStatus.SUSPENDED,
    (VettingStatus.PENDING, "revoke"): VettingStatus.REVOKED,
    (VettingStatus.VETTED, "revoke"): VettingStatus.REVOKED,
    (VettingStatus.SUSPENDED, "revoke"): VettingStatus.REVOKED,
}


def next_vetting_status(current: VettingStatus, step: str) -> VettingStatus:
    """Return the status after `step` (`vet`, `suspend`, `revoke`).

    Raises:
        Conflict: the step is not allowed from `current` (e.g. vetting a revoked user).
    """
    try:
        return _TRANSITIONS[(current, step)]
    except KeyError:
        raise Conflict(f"cannot {step} a user who is {current.value}") from None
