"""Users, vetting, grants and tokens. `me` in a path means the caller."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from genesis_platform.api.deps import CurrentPrincipal, PlatformDep
from genesis_platform.kernel import Organisation, User
from genesis_platform.kernel.identity.model import ApiToken
from genesis_platform.kernel.identity.service import Grants

__all__ = ["router"]

router = APIRouter(tags=["users"])


def _who(username: str) -> str | None:
    return None if username == "me" else username


class UserCreate(BaseModel):
    """A new user; they start pending vetting."""

    username: str
    display_name: str
    email: str
    organisation: str = Field(description="Organisation name or id.")
    us_person: bool = True
    citizenships: list[str] = Field(default_factory=list, description="ISO alpha-3 codes.")
    roles: list[str] = Field(default_factory=list)


class UserPublic(BaseModel):
    """A user as the policy engine sees them."""

    id: str
    username: str
    display_name: str
    email: str
    organisation_id: str
    organisation: str | None = None
    vetting: str
    us_person: bool
    citizenships: list[str]
    clearance: str
    compartments: list[str]
    trainings: list[str]
    agreements: list[str]
    projects: list[str]
    roles: list[str]
    created_at: datetime

    @classmethod
    def of(cls, user: User, org: Organisation | None = None) -> UserPublic:
        """From the domain type."""
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            email=user.email,
            organisation_id=user.organisation_id,
            organisation=org.name if org else None,
            vetting=user.vetting.value,
            us_person=user.us_person,
            citizenships=sorted(user.citizenships),
            clearance=user.clearance.value,
            compartments=sorted(user.compartments),
            trainings=sorted(t.value for t in user.trainings),
            agreements=sorted(str(a) for a in user.agreements),
            projects=sorted(user.projects),
            roles=sorted(r.value for r in user.roles),
            created_at=user.created_at,
        )


class VettingStep(BaseModel):
    """Why the vetting status changes (kept in the audit log)."""

    reason: str | None = Field(default=None, max_length=1000)


class GrantsIn(BaseModel):
    """Privileges to add or take away."""

    roles: list[str] = Field(default_factory=list)
    trainings: list[str] = Field(default_factory=list)
    agreements: list[str] = Field(default_factory=list, description="KIND or KIND:REFERENCE")
    projects: list[str] = Field(default_factory=list)
    compartments: list[str] = Field(default_factory=list)
    clearance: str | None = None

    def grants(self) -> Grants:
        """As the domain's grants."""
        return Grants(self.roles, self.trainings, self.agreements, self.projects, self.compartments, self.clearance)


class TokenCreate(BaseModel):
    """A token to issue."""

    label: str = Field(default="api", min_length=1, max_length=200)
    days: int | None = Field(default=None, ge=1, description="Lifetime; 90 days by default.")


class TokenPublic(BaseModel):
    """A token's record (never its secret)."""

    id: str
    user_id: str
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenPublic:
        """From the domain type."""
        return cls(**token.model_dump())


class TokenIssued(TokenPublic):
    """A new token: `token` is shown this once."""

    token: str


@router.get("/users", response_model=list[UserPublic])
def list_users(platform: PlatformDep, me: CurrentPrincipal) -> list[UserPublic]:
    """Every user (administrators and security officers)."""
    return [UserPublic.of(u) for u in platform.identity.list_users(me)]


@router.post("/users", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def add_user(body: UserCreate, platform: PlatformDep, me: CurrentPrincipal) -> UserPublic:
    """Add a user, pending vetting (platform administrators)."""
    user = platform.identity.add_user(
        me,
        username=body.username,
        display_name=body.display_name,
        email=body.email,
        organisation=body.organisation,
        us_person=body.us_person,
        citizenships=body.citizenships,
        roles=body.roles,
    )
    return UserPublic.of(user)


@router.get("/users/{username}", response_model=UserPublic)
def show_user(username: str, platform: PlatformDep, me: CurrentPrincipal) -> UserPublic:
    """A profile: your own (`me`), or anyone's for administrators and security officers."""
    user, org = platform.identity.show_user(me, _who(username))
    return UserPublic.of(user, org)


@router.post("/users/{username}/vet", response_model=UserPublic)
def vet(username: str, body: VettingStep, platform: PlatformDep, me: CurrentPrincipal) -> UserPublic:
    """Vet a pending or suspended user (security officers)."""
    return UserPublic.of(platform.identity.vet(me, username, body.reason))


@router.post("/users/{username}/suspend", response_model=UserPublic)
def suspend(username: str, body: VettingStep, platform: PlatformDep, me: CurrentPrincipal) -> UserPublic:
    """Suspend a user; everything they ask is denied from now on (security officers)."""
    return UserPublic.of(platform.identity.suspend(me, username, body.reason))


@router.post("/users/{username}/revoke", response_model=UserPublic)
def revoke(username: str, body: VettingStep, platform: PlatformDep, me: CurrentPrincipal) -> UserPublic:
    """Revoke a user for good (security officers)."""
    return UserPublic.of(platform.identity.revoke(me, username, body.reason))


@router.post("/users/{username}/grants", response_model=UserPublic)
def grant(username: str, body: GrantsIn, platform: PlatformDep, me: CurrentPrincipal) -> UserPublic:
    """Grant privileges."""
    return UserPublic.of(platform.identity.grant(me, username, body.grants()))


@router.post("/users/{username}/ungrant", response_model=UserPublic)
def ungrant(username: str, body: GrantsIn, platform: PlatformDep, me: CurrentPrincipal) -> UserPublic:
    """Take privileges away."""
    return UserPublic.of(platform.identity.grant(me, username, body.grants(), remove=True))


@router.get("/users/{username}/tokens", response_model=list[TokenPublic])
def list_tokens(username: str, platform: PlatformDep, me: CurrentPrincipal) -> list[TokenPublic]:
    """A user's tokens."""
    return [TokenPublic.of(t) for t in platform.identity.list_tokens(me, _who(username))]


@router.post("/users/{username}/tokens", response_model=TokenIssued, status_code=status.HTTP_201_CREATED)
def issue_token(username: str, body: TokenCreate, platform: PlatformDep, me: CurrentPrincipal) -> TokenIssued:
    """Issue a token; the secret is in this response only."""
    ttl = timedelta(days=body.days) if body.days else None
    issued = platform.identity.issue_token(me, _who(username), label=body.label, ttl=ttl)
    return TokenIssued(**issued.token.model_dump(), token=issued.secret)


@router.post("/tokens/{token_id}/revoke", response_model=TokenPublic)
def revoke_token(token_id: str, platform: PlatformDep, me: CurrentPrincipal) -> TokenPublic:
    """Revoke a token at once."""
    return TokenPublic.of(platform.identity.revoke_token(me, token_id))
