import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genesis_platform.kernel.audit.merkle import (
    EMPTY_ROOT,
    append_leaf,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_frontier,
    root_of,
    verify_inclusion,
)


def test_empty_tree_root_is_hash_of_empty_string():
    assert root_of([]) == hashlib.sha256(b"").digest() == EMPTY_ROOT == root_from_frontier([])


def test_leaf_and_node_hashes_are_domain_separated():
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()


def test_three_leaf_root_splits_at_largest_power_of_two():
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    assert root_of([a, b, c]) == node_hash(node_hash(a, b), c)


@given(st.lists(st.binary(max_size=8), min_size=0, max_size=70))
def test_frontier_root_equals_recursive_root(items):
    leaves = [leaf_hash(x) for x in items]
    frontier: list[bytes] = []
    for i, leaf in enumerate(leaves):
        append_leaf(frontier, i, leaf)
        assert root_from_frontier(frontier) == root_of(leaves[: i + 1])
    assert len(frontier) == bin(len(leaves)).count("1")


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 13, 31, 64])
def test_every_inclusion_proof_verifies_and_a_wrong_leaf_does_not(size):
    leaves = [leaf_hash(bytes([i])) for i in range(size)]
    root = root_of(leaves)
    for index in range(size):
        proof = inclusion_proof(leaves, index)
        assert verify_inclusion(leaves[index], index, size, proof, root)
        assert not verify_inclusion(leaf_hash(b"forged"), index, size, proof, root)
        if size > 1:
            assert not verify_inclusion(leaves[index], (index + 1) % size, size, proof, root)


def test_proof_outside_the_tree_is_refused():
    leaves = [leaf_hash(b"a")]
    with pytest.raises(IndexError):
        inclusion_proof(leaves, 1)
    assert not verify_inclusion(leaves[0], 1, 1, [], root_of(leaves))
