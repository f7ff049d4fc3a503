"""The audit log: records, verification, checkpoints, inclusion proofs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from genesis_platform.api.deps import CurrentPrincipal, PlatformDep
from genesis_platform.kernel.audit.chain import TreeHead
from genesis_platform.kernel.audit.log import AuditQuery

__all__ = ["router"]

router = APIRouter(prefix="/audit", tags=["audit"])


class RecordPublic(BaseModel):
    """One audit record."""

    seq: int
    at: str
    kind: str
    actor: str
    channel: str
    action: str
    resource: str
    outcome: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class VerificationPublic(BaseModel):
    """The result of verifying the whole log."""

    ok: bool
    records: int
    checkpoints: int
    first_bad_seq: int | None
    problem: str | None


class CheckpointPublic(BaseModel):
    """A signed checkpoint (RFC 6962 tree head)."""

    tree_size: int
    root: str
    head_hash: str
    at: str
    key_id: str
    signature: str

    @classmethod
    def of(cls, head: TreeHead) -> CheckpointPublic:
        """From the domain type."""
        return cls(**head.__dict__)


class ProofPublic(BaseModel):
    """An inclusion proof."""

    seq: int
    leaf_hash: str
    checkpoint: CheckpointPublic
    path: list[str]
    valid: bool


@router.get("/records", response_model=list[RecordPublic])
def records(
    platform: PlatformDep,
    me: CurrentPrincipal,
    user: str | None = None,
    action: str | None = None,
    asset: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(default=100, ge=1, le=100_000),
) -> list[RecordPublic]:
    """Audit records matching the filters, oldest first (the newest `limit` that match)."""
    query = AuditQuery(
        actor=user,
        action=action,
        resource=f'Asset::"{asset}"' if asset else None,
        outcome=outcome,
        since=since,
        until=until,
        limit=limit,
    )
    return [
        RecordPublic(
            seq=r.seq,
            at=r.at,
            kind=r.event.kind,
            actor=r.event.actor,
            channel=r.event.channel,
            action=r.event.action,
            resource=r.event.resource,
            outcome=r.event.outcome,
            details=dict(r.event.details),
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in platform.audit.records(me, query)
    ]


@router.post("/verify", response_model=VerificationPublic)
def verify(platform: PlatformDep, me: CurrentPrincipal) -> VerificationPublic:
    """Verify the chain, the signed head and every checkpoint; `ok` is false and names the first bad record."""
    report = platform.audit.verify(me)
    return VerificationPublic(**report.__dict__)


@router.post("/checkpoints", response_model=CheckpointPublic, status_code=201)
def checkpoint(platform: PlatformDep, me: CurrentPrincipal) -> CheckpointPublic:
    """Sign a checkpoint now (security officers)."""
    return CheckpointPublic.of(platform.audit.checkpoint(me))


@router.get("/proofs/{seq}", response_model=ProofPublic)
def prove(seq: int, platform: PlatformDep, me: CurrentPrincipal) -> ProofPublic:
    """An RFC 6962 inclusion proof of record `seq`."""
    p = platform.audit.prove(me, seq)
    return ProofPublic(
        seq=p.seq, leaf_hash=p.leaf_hash, checkpoint=CheckpointPublic.of(p.checkpoint), path=p.path, valid=p.valid
    )
