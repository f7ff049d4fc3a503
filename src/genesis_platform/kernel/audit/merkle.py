"""RFC 6962 Merkle tree hashing: leaf and node hashes, compact frontier, roots and inclusion proofs.

Sans-I/O. A tree over n leaves is summarised by its *frontier*: the roots of the perfect subtrees that the
binary digits of n describe, largest first. Appending a leaf touches O(log n) hashes, so a signed tree head can
be produced on every commit without reading the log back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = [
    "EMPTY_ROOT",
    "append_leaf",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_from_frontier",
    "root_of",
    "verify_inclusion",
]

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""Root of the empty tree (RFC 6962 §2.1: the hash of the empty string)."""


def leaf_hash(data: bytes) -> bytes:
    """Return SHA-256(0x00 || data): the domain-separated hash of a leaf (RFC 6962 §2.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 || left || right): the hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def append_leaf(frontier: list[bytes], size: int, leaf: bytes) -> None:
    """Add `leaf` (a leaf hash) to the frontier of a tree of `size` leaves, in place."""
    node = leaf
    while size & 1:
        node = node_hash(frontier.pop(), node)
        size >>= 1
    frontier.append(node)


def root_from_frontier(frontier: Sequence[bytes]) -> bytes:
    """Return the tree root of a frontier (the largest subtree is first)."""
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        root = node_hash(subtree, root)
    return root


def root_of(leaves: Sequence[bytes]) -> bytes:
    """Return the Merkle Tree Hash of a list of leaf hashes (RFC 6962 §2.1, recursive definition)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Return the audit path of leaf `index` in the tree over `leaves` (RFC 6962 §2.1.1)."""
    n = len(leaves)
    if not 0 <= index < n:
        raise IndexError(f"leaf {index} is outside a tree of {n}")
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if index < k:
        return [*inclusion_proof(leaves[:k], index), root_of(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), root_of(leaves[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Check an audit path (RFC 9162 §2.1.3.2 algorithm) for leaf hash `leaf` at `index` in a tree of `size`."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root
