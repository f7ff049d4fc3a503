"""Explaining policy decisions."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from genesis_platform.api.deps import CurrentPrincipal, PlatformDep

__all__ = ["router"]

router = APIRouter(prefix="/policy", tags=["policy"])


class PolicyPublic(BaseModel):
    """A policy that decided."""

    id: str
    effect: str
    reason: str


class ExplanationPublic(BaseModel):
    """A decision explained."""

    allowed: bool
    summary: str
    policies: list[PolicyPublic]
    candidates: list[PolicyPublic]
    user: dict[str, str]
    asset: dict[str, str]
    text: list[str]


@router.get("/explain", response_model=ExplanationPublic)
def explain(
    action: str, asset: str, platform: PlatformDep, me: CurrentPrincipal, user: str | None = None
) -> ExplanationPublic:
    """Whether `user` (you by default) may do `action` on `asset`, which policies decide it and why."""
    e = platform.policy.explain(me, user, action, asset)
    return ExplanationPublic(
        allowed=e.decision.allowed,
        summary=e.summary,
        policies=[PolicyPublic(id=p.id, effect=p.effect, reason=p.reason) for p in e.deciding],
        candidates=[PolicyPublic(id=p.id, effect=p.effect, reason=p.reason) for p in e.candidates],
        user=e.user_facts,
        asset=e.asset_facts,
        text=e.lines(),
    )
