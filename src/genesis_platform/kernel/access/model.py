"""Access requests: a user asks for actions on an asset; a data steward or security officer decides.

    pending ──approve──▶ approved ──revoke──▶ revoked
       │                    └──(expires_at passes)──▶ lapsed by itself (still `approved`, no longer counted)
       ├──deny──▶ denied
       └──withdraw──▶ withdrawn

An approved request is a set of grants (one per action) that the policy engine reads as `principal.grants`;
markings still forbid what they forbid, so a grant never reaches past a NOFORN or a missing clearance.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from genesis_platform.kernel.identity.model import Agreement, Grant

__all__ = ["AccessRequest", "RequestState"]


class RequestState(StrEnum):
    """Where a request stands; see the module docstring."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"


class AccessRequest(BaseModel):
    """A request for access.

    Attributes:
        id: stable identifier.
        asset_id: the asset asked for.
        requester_id: who asks.
        actions: the actions asked for.
        reason: why (kept for the decider and the audit log).
        state: where it stands.
        created_at: when it was made.
        decided_by: who approved, denied, revoked or withdrew it.
        decided_at: when.
        note: the decider's words (conditions, or why not).
        expires_at: when the grant lapses by itself.
        agreement: an agreement the requester must hold for the grant to count.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    asset_id: str
    requester_id: str
    actions: frozenset[str] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=4000)
    state: RequestState = RequestState.PENDING
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None
    expires_at: datetime | None = None
    agreement: Agreement | None = None

    def grants(self) -> frozenset[Grant]:
        """The grants an approved request gives (none otherwise)."""
        if self.state is not RequestState.APPROVED:
            return frozenset()
        return frozenset(
            Grant(asset_id=self.asset_id, action=a, expires_at=self.expires_at, agreement=self.agreement)
            for a in self.actions
        )
