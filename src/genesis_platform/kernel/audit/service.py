"""Use cases on the audit log: read it, verify it, checkpoint it, prove a record's inclusion, rotate the key.

Reading and verifying need `read_audit` (security officers, administrators); checkpoints and key rotation
need `write_audit` (security officers). Each use is itself recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from genesis_platform.kernel.audit.chain import AuditRecord, TreeHead, VerificationReport
from genesis_platform.kernel.audit.log import AuditLog, AuditQuery
from genesis_platform.kernel.audit.merkle import inclusion_proof, verify_inclusion
from genesis_platform.kernel.audit.signing import Signer, rotate_signing_key
from genesis_platform.kernel.errors import AuditVerificationFailed, InvalidInput, NotFound
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.identity.store import IdentityStore
from genesis_platform.kernel.policy.model import PLATFORM, Action
from genesis_platform.kernel.unit_of_work import UnitOfWork

__all__ = ["AuditService", "InclusionProof"]


@dataclass(frozen=True)
class InclusionProof:
    """Proof that a record is in the tree a signed checkpoint commits to (RFC 6962 §2.1.1).

    Attributes:
        seq: the record.
        leaf_hash: its leaf hash (hex).
        checkpoint: the signed checkpoint.
        path: the audit path (hex), leaf to root.
        valid: whether the path leads to the checkpoint's root.
    """

    seq: int
    leaf_hash: str
    checkpoint: TreeHead
    path: list[str]
    valid: bool


class AuditService:
    """The audit log as its readers and keepers use it.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
        log: the audit log.
        keys: the home's key folder (rotation), or None for a platform without one.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], guard: Guard, log: AuditLog, keys: Path | None) -> None:
        self._uow = uow
        self._guard = guard
        self._log = log
        self._keys = keys

    def records(self, principal: Principal, query: AuditQuery) -> list[AuditRecord]:
        """Records matching `query`, oldest first."""
        if not 1 <= query.limit <= 100_000:
            raise InvalidInput("limit must be between 1 and 100000")
        with self._uow() as uow:
            self._guard.require(uow, principal, Action.READ_AUDIT, PLATFORM, {"query": _describe(query)})
            if query.actor:
                # Accept a username as well as a user id.
                user = IdentityStore(uow.connection).user_named(query.actor)
                if user is not None:
                    query = replace(query, actor=user.id)
            return self._log.query(uow.connection, query)

    def verify(self, principal: Principal) -> VerificationReport:
        """Verify the whole log; the outcome is itself recorded when the log can still be extended."""
        report: VerificationReport | None = None
        try:
            with self._uow() as uow:
                self._guard.require(uow, principal, Action.READ_AUDIT, PLATFORM, {"verify": True})
                report = self._log.verify(uow.connection)
                self._guard.changed(
                    uow,
                    principal,
                    "audit.verify",
                    PLATFORM,
                    {"ok": report.ok, "records": report.records, "first_bad_seq": report.first_bad_seq},
                )
        except AuditVerificationFailed:
            if report is None:
                raise
        assert report is not None
        return report

    def checkpoint(self, principal: Principal) -> TreeHead:
        """Sign and store a checkpoint now (print it and keep a copy elsewhere: that is what makes it a witness)."""
        with self._uow() as uow:
            self._guard.require(uow, principal, Action.WRITE_AUDIT, PLATFORM, {"checkpoint": True})
            # Commit the decision first, so the checkpoint covers it.
            uow.commit()
            head = self._log.checkpoint(uow.connection)
            self._guard.changed(
                uow, principal, "audit.checkpoint", PLATFORM, {"tree_size": head.tree_size, "root": head.root}
            )
            return head

    def prove(self, principal: Principal, seq: int) -> InclusionProof:
        """Prove record `seq` is in the newest checkpoint that covers it."""
        with self._uow() as uow:
            self._guard.require(uow, principal, Action.READ_AUDIT, PLATFORM, {"prove": seq})
            covering = [c for c in self._log.checkpoints(uow.connection) if c.tree_size >= seq]
            if seq < 1 or not covering:
                raise NotFound(f"no checkpoint covers record {seq}; run `genesis audit checkpoint` first")
            checkpoint = covering[-1]
            leaves = self._log.leaves(uow.connection, checkpoint.tree_size)
            path = inclusion_proof(leaves, seq - 1)
            valid = verify_inclusion(
                leaves[seq - 1], seq - 1, checkpoint.tree_size, path, bytes.fromhex(checkpoint.root)
            )
            return InclusionProof(seq, leaves[seq - 1].hex(), checkpoint, [p.hex() for p in path], valid)

    def rotate_key(self, principal: Principal) -> tuple[str, str]:
        """Replace the signing key; checkpoints signed with the old one still verify. Return (old id, new id)."""
        if self._keys is None:
            raise InvalidInput("this platform has no key folder to rotate")
        with self._uow() as uow:
            self._guard.require(uow, principal, Action.WRITE_AUDIT, PLATFORM, {"rotate_key": True})
            old, new = rotate_signing_key(self._keys)
            self._log.use_signer(Signer.load(self._keys))
            self._guard.changed(uow, principal, "audit.rotate_key", PLATFORM, {"old_key": old, "new_key": new})
            return old, new


def _describe(query: AuditQuery) -> dict[str, object]:
    out: dict[str, object] = {"limit": query.limit}
    for name in ("actor", "action", "resource", "outcome"):
        value = getattr(query, name)
        if value:
            out[name] = value
    for name in ("since", "until"):
        value = getattr(query, name)
        if value:
            out[name] = value.isoformat()
    return out
