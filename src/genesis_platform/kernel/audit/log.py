"""The audit log in the database: append (hash, Merkle frontier, signed head, checkpoints), query, verify.

Appends from concurrent units of work are serialised on the head row (`SELECT ... FOR UPDATE` on PostgreSQL;
SQLite's `BEGIN IMMEDIATE` write lock), so the chain never forks. All records of one commit share its time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from genesis_platform.kernel.audit.chain import (
    GENESIS_HASH,
    AuditEvent,
    AuditRecord,
    ChainVerifier,
    TreeHead,
    VerificationReport,
    body_of_row,
    chain_hash,
    event_of_row,
    record_body,
)
from genesis_platform.kernel.audit.merkle import append_leaf, leaf_hash, root_from_frontier
from genesis_platform.kernel.audit.signing import Keyring, Signer
from genesis_platform.kernel.canonical import canonical_json
from genesis_platform.kernel.clock import Clock
from genesis_platform.kernel.db import audit_checkpoints, audit_head, audit_records
from genesis_platform.kernel.errors import AuditVerificationFailed
from genesis_platform.kernel.timestamps import to_text

__all__ = ["AuditLog", "AuditQuery"]

_HEAD_ID = 1


@dataclass(frozen=True)
class AuditQuery:
    """Filters for reading the log; every field is optional.

    Attributes:
        actor: user id.
        action: action or change name.
        resource: Cedar reference, e.g. `Asset::"a-1"`.
        outcome: `allow`, `deny`, `ok`, `failed`.
        since: earliest commit time, inclusive.
        until: latest commit time, exclusive.
        limit: most records returned (the newest that match, in log order).
    """

    actor: str | None = None
    action: str | None = None
    resource: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


def _head_of(row: object) -> TreeHead:
    m = row._mapping  # type: ignore[attr-defined]
    return TreeHead(m["tree_size"], m["root"], m["head_hash"], m["at"], m["key_id"], m["signature"])


class AuditLog:
    """Appends to, reads and verifies the audit log.

    Args:
        signer: signs tree heads and checkpoints.
        keyring: verifies them (includes the signer's key and retired ones).
        clock: commit times.
        checkpoint_every: records between automatic checkpoints.
    """

    def __init__(self, signer: Signer, keyring: Keyring, clock: Clock, checkpoint_every: int = 1000) -> None:
        self._signer = signer
        self._keyring = keyring
        self._keyring.add(signer.public_key)
        self._clock = clock
        self._every = checkpoint_every

    def use_signer(self, signer: Signer) -> None:
        """Sign from now on with `signer` (after a key rotation); its public key joins the keyring."""
        self._signer = signer
        self._keyring.add(signer.public_key)

    def _sign(self, tree_size: int, root: str, head_hash: str, at: str) -> TreeHead:
        unsigned = TreeHead(tree_size, root, head_hash, at, self._signer.key_id)
        return TreeHead(tree_size, root, head_hash, at, self._signer.key_id, self._signer.sign(unsigned.message()))

    def ensure_head(self, conn: Connection) -> None:
        """Create the signed head of the empty log if there is none yet (idempotent)."""
        if conn.execute(select(audit_head.c.id)).first() is not None:
            return
        head = self._sign(0, root_from_frontier([]).hex(), GENESIS_HASH, to_text(self._clock.now()))
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(audit_head).values(
                        id=_HEAD_ID,
                        tree_size=0,
                        head_hash=head.head_hash,
                        root=head.root,
                        frontier="[]",
                        at=head.at,
                        key_id=head.key_id,
                        signature=head.signature,
                    )
                )
        except IntegrityError:
            pass  # another process created it first

    def append(self, conn: Connection, events: Sequence[AuditEvent]) -> list[AuditRecord]:
        """Append `events` in order inside the caller's transaction and return the records written."""
        if not events:
            return []
        head_row = conn.execute(select(audit_head).where(audit_head.c.id == _HEAD_ID).with_for_update()).first()
        if head_row is None:
            self.ensure_head(conn)
            head_row = conn.execute(select(audit_head).where(audit_head.c.id == _HEAD_ID).with_for_update()).one()
        size = int(head_row.tree_size)
        stored = conn.execute(select(func.max(audit_records.c.seq))).scalar()
        if int(stored or 0) != size:
            # Fail closed: a platform that cannot extend a sound log must not act unaudited.
            raise AuditVerificationFailed(
                f"the audit log holds records up to {stored or 0} but its signed head covers {size}: it was altered "
                "outside the kernel; nothing more can be recorded until it is restored (run `genesis audit verify`)"
            )
        prev = str(head_row.head_hash)
        frontier = [bytes.fromhex(h) for h in json.loads(head_row.frontier)]
        at = to_text(self._clock.now())
        rows: list[dict[str, object]] = []
        records: list[AuditRecord] = []
        checkpoints: list[TreeHead] = []
        for event in events:
            seq = size + 1
            fields = record_body(seq, at, event)
            body = canonical_json(fields)
            digest = chain_hash(prev, body)
            append_leaf(frontier, size, leaf_hash(body))
            size = seq
            # The row holds exactly the hashed body, with details as their canonical text.
            fields["details"] = canonical_json(event.details).decode("utf-8")
            rows.append({**fields, "prev_hash": prev, "hash": digest})
            records.append(AuditRecord(seq, at, event, prev, digest))
            prev = digest
            if seq % self._every == 0:
                checkpoints.append(self._sign(seq, root_from_frontier(frontier).hex(), prev, at))
        conn.execute(insert(audit_records), rows)
        head = self._sign(size, root_from_frontier(frontier).hex(), prev, at)
        conn.execute(
            update(audit_head)
            .where(audit_head.c.id == _HEAD_ID)
            .values(
                tree_size=size,
                head_hash=prev,
                root=head.root,
                frontier=json.dumps([h.hex() for h in frontier]),
                at=at,
                key_id=head.key_id,
                signature=head.signature,
            )
        )
        if checkpoints:
            conn.execute(insert(audit_checkpoints), [self._checkpoint_row(c) for c in checkpoints])
        return records

    @staticmethod
    def _checkpoint_row(c: TreeHead) -> dict[str, object]:
        return {
            "tree_size": c.tree_size,
            "root": c.root,
            "head_hash": c.head_hash,
            "at": c.at,
            "key_id": c.key_id,
            "signature": c.signature,
        }

    def checkpoint(self, conn: Connection) -> TreeHead:
        """Sign and store a checkpoint of the log as it stands (idempotent at the same size)."""
        row = conn.execute(select(audit_head).where(audit_head.c.id == _HEAD_ID).with_for_update()).first()
        if row is None:
            self.ensure_head(conn)
            row = conn.execute(select(audit_head).where(audit_head.c.id == _HEAD_ID)).one()
        existing = conn.execute(select(audit_checkpoints).where(audit_checkpoints.c.tree_size == row.tree_size)).first()
        if existing is not None:
            return _head_of(existing)
        cp = self._sign(int(row.tree_size), str(row.root), str(row.head_hash), to_text(self._clock.now()))
        conn.execute(insert(audit_checkpoints).values(**self._checkpoint_row(cp)))
        return cp

    def head(self, conn: Connection) -> TreeHead | None:
        """The signed tree head, or None before the first append."""
        row = conn.execute(select(audit_head).where(audit_head.c.id == _HEAD_ID)).first()
        return None if row is None else _head_of(row)

    def checkpoints(self, conn: Connection) -> list[TreeHead]:
        """Every stored checkpoint, oldest first."""
        rows = conn.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.tree_size)).all()
        return [_head_of(r) for r in rows]

    def size(self, conn: Connection) -> int:
        """Number of records stored."""
        return int(conn.execute(select(func.count()).select_from(audit_records)).scalar_one())

    def query(self, conn: Connection, q: AuditQuery) -> list[AuditRecord]:
        """Records matching `q`: the newest `q.limit`, returned oldest first."""
        stmt = select(audit_records)
        t = audit_records.c
        if q.actor:
            stmt = stmt.where(t.actor == q.actor)
        if q.action:
            stmt = stmt.where(t.action == q.action)
        if q.resource:
            stmt = stmt.where(t.resource == q.resource)
        if q.outcome:
            stmt = stmt.where(t.outcome == q.outcome)
        if q.since:
            stmt = stmt.where(t.at >= to_text(q.since))
        if q.until:
            stmt = stmt.where(t.at < to_text(q.until))
        rows = conn.execute(stmt.order_by(t.seq.desc()).limit(q.limit)).all()
        return [self._record(dict(r._mapping)) for r in reversed(rows)]

    @staticmethod
    def _record(row: Mapping[str, Any]) -> AuditRecord:
        return AuditRecord(int(row["seq"]), row["at"], event_of_row(row), row["prev_hash"], row["hash"])

    def rows(self, conn: Connection, batch: int = 10_000) -> Iterator[dict[str, Any]]:
        """Every stored row in sequence order, read in batches."""
        last = None
        while True:
            stmt = select(audit_records).order_by(audit_records.c.seq).limit(batch)
            if last is not None:
                stmt = stmt.where(audit_records.c.seq > last)
            chunk = conn.execute(stmt).all()
            if not chunk:
                return
            for r in chunk:
                yield dict(r._mapping)
            last = chunk[-1].seq

    def verify(self, conn: Connection) -> VerificationReport:
        """Walk the whole log and report the first bad record, if any."""
        verifier = ChainVerifier(self._keyring, self.checkpoints(conn), self.head(conn))
        if not verifier.failed:
            for row in self.rows(conn):
                if not verifier.feed(row):
                    break
        return verifier.finish()

    def leaves(self, conn: Connection, tree_size: int) -> list[bytes]:
        """Leaf hashes of the first `tree_size` records (inclusion proofs)."""
        out: list[bytes] = []
        for row in self.rows(conn):
            if len(out) == tree_size:
                break
            out.append(leaf_hash(body_of_row(row)))
        return out
