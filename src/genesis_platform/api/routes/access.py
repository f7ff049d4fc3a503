"""Access requests."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from genesis_platform.api.deps import CurrentPrincipal, PlatformDep
from genesis_platform.kernel.access.model import AccessRequest

__all__ = ["router"]

router = APIRouter(tags=["access"])


class AccessRequestCreate(BaseModel):
    """What access to ask for, and why."""

    actions: list[str] = Field(
        min_length=1, description="download, train, infer, evaluate, read_metadata, discover, run"
    )
    reason: str = Field(min_length=1, max_length=4000)


class Approval(BaseModel):
    """An approval's conditions."""

    days: int = Field(default=90, ge=1, le=365)
    agreement: str | None = Field(default=None, description="KIND or KIND:REFERENCE the requester must hold")
    note: str = ""


class Decision(BaseModel):
    """Why a request is denied or a grant revoked."""

    note: str = Field(min_length=1, max_length=4000)


class AccessRequestPublic(BaseModel):
    """An access request."""

    id: str
    asset_id: str
    requester_id: str
    actions: list[str]
    reason: str
    state: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str | None
    expires_at: datetime | None
    agreement: str | None

    @classmethod
    def of(cls, r: AccessRequest) -> AccessRequestPublic:
        """From the domain type."""
        data = r.model_dump(mode="json")
        data["actions"] = sorted(r.actions)
        data["agreement"] = str(r.agreement) if r.agreement else None
        return cls(**data)


@router.post(
    "/assets/{asset_id}/access-requests", response_model=AccessRequestPublic, status_code=status.HTTP_201_CREATED
)
def request_access(
    asset_id: str, body: AccessRequestCreate, platform: PlatformDep, me: CurrentPrincipal
) -> AccessRequestPublic:
    """Ask for access to an asset you can discover."""
    return AccessRequestPublic.of(platform.access.request(me, asset_id, body.actions, body.reason))


@router.get("/access-requests", response_model=list[AccessRequestPublic])
def list_requests(platform: PlatformDep, me: CurrentPrincipal, state: str | None = None) -> list[AccessRequestPublic]:
    """Your requests and those you may decide."""
    return [AccessRequestPublic.of(r) for r in platform.access.list(me, state)]


@router.post("/access-requests/{request_id}/approve", response_model=AccessRequestPublic)
def approve(request_id: str, body: Approval, platform: PlatformDep, me: CurrentPrincipal) -> AccessRequestPublic:
    """Approve until an expiry, optionally on condition of an agreement."""
    done = platform.access.approve(
        me, request_id, ttl=timedelta(days=body.days), agreement=body.agreement, note=body.note
    )
    return AccessRequestPublic.of(done)


@router.post("/access-requests/{request_id}/deny", response_model=AccessRequestPublic)
def deny(request_id: str, body: Decision, platform: PlatformDep, me: CurrentPrincipal) -> AccessRequestPublic:
    """Refuse a pending request."""
    return AccessRequestPublic.of(platform.access.deny(me, request_id, body.note))


@router.post("/access-requests/{request_id}/revoke", response_model=AccessRequestPublic)
def revoke(request_id: str, body: Decision, platform: PlatformDep, me: CurrentPrincipal) -> AccessRequestPublic:
    """End an approved grant now."""
    return AccessRequestPublic.of(platform.access.revoke(me, request_id, body.note))


@router.post("/access-requests/{request_id}/withdraw", response_model=AccessRequestPublic)
def withdraw(request_id: str, platform: PlatformDep, me: CurrentPrincipal) -> AccessRequestPublic:
    """Withdraw your own pending request."""
    return AccessRequestPublic.of(platform.access.withdraw(me, request_id))
