"""The audit chain as data: events, records, signed tree heads and verification, with no I/O.

Record `n` hashes as SHA-256(hash of record n-1 || canonical JSON of record n's body), starting from 64 zeros;
the same canonical bytes are leaf `n-1` of an RFC 6962 Merkle tree whose root is signed with Ed25519 in the
tree head (rewritten by every append) and in periodic checkpoints (kept). `ChainVerifier` walks the records in
order and names the first one that fails:

- an edited field breaks that record's hash;
- a deleted record leaves a gap in the sequence, or a tail shorter than a signed head or checkpoint;
- a reordered record carries a sequence number its hash was not made with;
- an inserted record breaks the sequence or the chain, or lies beyond the signed head;
- a chain rewritten from some record on, hashes and all, no longer matches a signed root.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from genesis_platform.kernel.audit.merkle import append_leaf, leaf_hash, root_from_frontier
from genesis_platform.kernel.audit.signing import Keyring
from genesis_platform.kernel.canonical import canonical_json

__all__ = [
    "GENESIS_HASH",
    "AuditEvent",
    "AuditRecord",
    "ChainVerifier",
    "TreeHead",
    "VerificationReport",
    "body_of_row",
    "chain_hash",
    "event_of_row",
    "record_body",
]

GENESIS_HASH = "0" * 64
"""The previous-hash of the first record."""

_RECENT = 4096  # how far back an inserted run of records can be traced to the record it displaced


@dataclass(frozen=True)
class AuditEvent:
    """Something to record: a policy decision or a state change.

    Attributes:
        kind: `decision` (an allow or a deny) or `change` (state written).
        actor: id of the user who acted, or `system`.
        action: the policy action, or the change's name (`user.vet`, `asset.register`).
        resource: the Cedar reference of the resource (`Asset::"a-1"`).
        outcome: `allow`, `deny`, `ok` or `failed`.
        details: anything else worth keeping; canonical-JSON values only.
        channel: the front door (`cli`, `api`, `mcp`, `internal`).
    """

    kind: str
    actor: str
    action: str
    resource: str
    outcome: str
    details: Mapping[str, Any] = field(default_factory=dict)
    channel: str = "internal"


def record_body(seq: int, at: str, event: AuditEvent) -> dict[str, Any]:
    """Return the hashed body of a record."""
    return {
        "seq": seq,
        "at": at,
        "kind": event.kind,
        "actor": event.actor,
        "channel": event.channel,
        "action": event.action,
        "resource": event.resource,
        "outcome": event.outcome,
        "details": dict(event.details),
    }


@dataclass(frozen=True)
class AuditRecord:
    """One stored audit record.

    Attributes:
        seq: position in the log, from 1, without gaps.
        at: commit time, ISO 8601 UTC.
        event: what was recorded.
        prev_hash: hash of the record before (hex).
        hash: this record's chain hash (hex).
    """

    seq: int
    at: str
    event: AuditEvent
    prev_hash: str
    hash: str


def event_of_row(row: Mapping[str, Any]) -> AuditEvent:
    """Rebuild the event of a stored row (columns of `audit_records`).

    Raises:
        ValueError: the details column is not canonical JSON of an object (it was edited).
    """
    details = json.loads(row["details"])
    if not isinstance(details, dict) or canonical_json(details).decode("utf-8") != row["details"]:
        raise ValueError("details are not canonical JSON")
    return AuditEvent(
        row["kind"], row["actor"], row["action"], row["resource"], row["outcome"], details, row["channel"]
    )


def body_of_row(row: Mapping[str, Any]) -> bytes:
    """Return the canonical body bytes of a stored row (the chain's input and the Merkle leaf data).

    Raises:
        ValueError: the details column was edited out of canonical form.
    """
    return canonical_json(record_body(int(row["seq"]), row["at"], event_of_row(row)))


def chain_hash(prev_hash: str, body: bytes) -> str:
    """Return the chain hash of a record whose canonical body is `body`."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + body).hexdigest()


@dataclass(frozen=True)
class TreeHead:
    """A signed statement of the log's state: its size, Merkle root and last chain hash.

    Attributes:
        tree_size: records covered.
        root: RFC 6962 root over their canonical bodies (hex).
        head_hash: chain hash of the last covered record (hex).
        at: when it was signed.
        key_id: id of the signing key.
        signature: base64 Ed25519 signature over `message()`.
    """

    tree_size: int
    root: str
    head_hash: str
    at: str
    key_id: str
    signature: str = ""

    def message(self) -> bytes:
        """The bytes that are signed."""
        return canonical_json(
            {
                "log": "genesis-audit",
                "tree_size": self.tree_size,
                "root": self.root,
                "head_hash": self.head_hash,
                "at": self.at,
                "key_id": self.key_id,
            }
        )


@dataclass
class VerificationReport:
    """What `ChainVerifier` found.

    Attributes:
        ok: nothing is wrong.
        records: records read.
        checkpoints: signed checkpoints checked.
        first_bad_seq: the first record found bad, if any.
        problem: what is wrong, in words.
    """

    ok: bool
    records: int
    checkpoints: int
    first_bad_seq: int | None = None
    problem: str | None = None


class ChainVerifier:
    """Verify the audit log record by record (feed rows in sequence order, then call `finish`).

    Args:
        keyring: public keys that may have signed heads and checkpoints.
        checkpoints: the stored checkpoints.
        head: the stored signed tree head, or None when none is stored.
    """

    def __init__(self, keyring: Keyring, checkpoints: list[TreeHead], head: TreeHead | None) -> None:
        self._keyring = keyring
        self._head = head
        self._pending = sorted(checkpoints, key=lambda c: c.tree_size)
        self._frontier: list[bytes] = []
        self._count = 0
        self._prev = GENESIS_HASH
        self._checked = 0
        self._last_good_anchor = 0
        self._problem: tuple[int | None, str] | None = None
        self._recent: OrderedDict[str, int] = OrderedDict()  # stored hash -> seq, for naming inserted records
        for checkpoint in self._pending:
            if not keyring.verify(checkpoint.key_id, checkpoint.message(), checkpoint.signature):
                self._fail(None, f"checkpoint at size {checkpoint.tree_size} has an invalid signature")
                break
        if head is not None and not keyring.verify(head.key_id, head.message(), head.signature):
            self._fail(None, "the signed tree head has an invalid signature: it was altered outside the kernel")

    @property
    def failed(self) -> bool:
        """Whether a problem has been found."""
        return self._problem is not None

    def _fail(self, seq: int | None, problem: str) -> bool:
        if self._problem is None:
            self._problem = (seq, problem)
        return False

    def feed(self, row: Mapping[str, Any]) -> bool:
        """Check the next stored row (columns of `audit_records`); return False once something is wrong."""
        if self._problem is not None:
            return False
        expected = self._count + 1
        seq = int(row["seq"])
        if seq != expected:
            if seq > expected:
                return self._fail(expected, f"record {expected} is missing: deleted, or the log was reordered")
            return self._fail(seq, f"record {seq} appears out of order after record {self._count}")
        try:
            body = body_of_row(row)
        except ValueError:
            return self._fail(seq, f"record {seq}: its details are not canonical JSON (edited)")
        if row["prev_hash"] != self._prev:
            return self._broken_link(seq, row, body)
        if chain_hash(self._prev, body) != row["hash"]:
            return self._fail(seq, f"record {seq}: its content does not match its hash (edited)")
        append_leaf(self._frontier, self._count, leaf_hash(body))
        self._count = seq
        self._prev = row["hash"]
        self._recent[row["hash"]] = seq
        if len(self._recent) > _RECENT:
            self._recent.popitem(last=False)
        while self._pending and self._pending[0].tree_size == seq:
            self._check_anchor(self._pending.pop(0), "checkpoint")
            if self._problem is not None:
                return False
        return True

    def _broken_link(self, seq: int, row: Mapping[str, Any], body: bytes) -> bool:
        """Name the record to blame when record `seq` does not link to the one before it."""
        earlier = self._recent.get(row["prev_hash"])
        if earlier is not None and earlier < seq - 1:
            first = earlier + 1
            return self._fail(
                first, f"records {first}..{seq - 1} were inserted: record {seq} still links to record {earlier}"
            )
        if chain_hash(row["prev_hash"], body) == row["hash"]:
            # Record `seq` is intact and links to a different version of its predecessor.
            return self._fail(
                seq - 1, f"record {seq - 1} was rewritten (hash recomputed): record {seq} links to its original"
            )
        return self._fail(seq, f"record {seq}: its previous-hash does not match record {seq - 1} (edited or moved)")

    def _check_anchor(self, anchor: TreeHead, what: str) -> None:
        root = root_from_frontier(self._frontier).hex()
        if root != anchor.root or self._prev != anchor.head_hash:
            first = self._last_good_anchor + 1
            self._fail(
                first,
                f"records {first}..{anchor.tree_size} do not match the signed {what} at size {anchor.tree_size}: "
                "the chain was rewritten",
            )
            return
        self._last_good_anchor = anchor.tree_size
        self._checked += what == "checkpoint"

    def finish(self) -> VerificationReport:
        """Finish after the last row and report."""
        if self._problem is None and self._pending:
            missing = self._count + 1
            self._fail(
                missing,
                f"record {missing} is missing: a signed checkpoint covers {self._pending[0].tree_size} records "
                f"but the log ends at {self._count} (deleted)",
            )
        if self._problem is None:
            head = self._head
            if head is None:
                if self._count:
                    self._fail(None, "the signed tree head is missing")
            elif head.tree_size > self._count:
                self._fail(
                    self._count + 1,
                    f"record {self._count + 1} is missing: the signed head covers {head.tree_size} records "
                    f"but the log ends at {self._count} (deleted)",
                )
            elif head.tree_size < self._count:
                self._fail(
                    head.tree_size + 1,
                    f"record {head.tree_size + 1} is not covered by the signed head (size {head.tree_size}): "
                    "inserted outside the kernel",
                )
            else:
                self._check_anchor(head, "tree head")
        if self._problem is not None:
            seq, problem = self._problem
            return VerificationReport(False, self._count, self._checked, seq, problem)
        return VerificationReport(True, self._count, self._checked)
