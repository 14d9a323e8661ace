"""Read proofs prove values and absences, and bad proofs fail with typed errors only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khala.primitives.trie import (
    EMPTY_ROOT,
    Layout,
    Trie,
    TrieError,
    TrieErrorCode,
    generate_proof,
    verify_proof,
)

_keys = st.binary(min_size=1, max_size=6)
_values = st.one_of(st.binary(max_size=8), st.binary(min_size=33, max_size=60))


@pytest.mark.parametrize("layout", list(Layout))
def test_proofs_prove_present_and_absent_keys(layout: Layout) -> None:
    """A proof for some keys yields exactly their values (None where absent)."""

    @given(st.dictionaries(_keys, _values, min_size=1, max_size=50), st.lists(_keys, max_size=5))
    def check(items: dict[bytes, bytes], extra: list[bytes]) -> None:
        trie = Trie.from_items(items.items(), layout)
        keys = [*list(items)[:5], *extra]
        proof = generate_proof(trie, keys)
        proven = verify_proof(trie.root_hash(), proof, keys)
        assert proven == {key: items.get(key) for key in keys}

    check()


def test_proof_missing_a_node_is_incomplete() -> None:
    """Removing any node a key needs makes verification fail with incomplete_proof."""
    items = {bytes([index, index]): bytes([index]) * 40 for index in range(40)}
    trie = Trie.from_items(items.items(), Layout.V1)
    key = bytes([7, 7])
    proof = generate_proof(trie, [key])
    assert len(proof) >= 2
    for position in range(len(proof)):
        partial = proof[:position] + proof[position + 1 :]
        with pytest.raises(TrieError) as caught:
            verify_proof(trie.root_hash(), partial, [key])
        assert caught.value.code is TrieErrorCode.INCOMPLETE_PROOF


def test_proof_under_wrong_root_is_refused() -> None:
    """A proof does not verify against a root it was not made for."""
    trie = Trie.from_items([(b"a", b"1"), (b"b", b"2")])
    proof = generate_proof(trie, [b"a"])
    with pytest.raises(TrieError) as caught:
        verify_proof(b"\x22" * 32, proof, [b"a"])
    assert caught.value.code is TrieErrorCode.INCOMPLETE_PROOF
    assert verify_proof(EMPTY_ROOT, [], [b"a"]) == {b"a": None}


def test_non_bytes_proof_items_are_typed() -> None:
    """A proof that is not a list of byte strings is refused."""
    with pytest.raises(TrieError) as caught:
        verify_proof(EMPTY_ROOT, ["00"], [b"a"])  # type: ignore[list-item]
    assert caught.value.code is TrieErrorCode.INVALID_PROOF


@given(st.lists(st.binary(max_size=80), max_size=6), st.binary(max_size=4), st.booleans())
def test_random_proofs_give_value_or_typed_error(
    nodes: list[bytes], key: bytes, root_from_nodes: bool
) -> None:
    """Fuzz: random nodes under a random or matching root yield a result or a TrieError."""
    from khala.primitives.hashing import blake2_256

    root = blake2_256(nodes[0]) if nodes and root_from_nodes else b"\x05" * 32
    try:
        result = verify_proof(root, nodes, [key])
    except TrieError:
        return
    assert set(result) == {key}
