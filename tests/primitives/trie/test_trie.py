"""The incremental trie agrees with the one-pass build after any sequence of changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khala.primitives.trie import (
    EMPTY_ROOT,
    Layout,
    MemoryNodeStore,
    Trie,
    TrieError,
    TrieErrorCode,
    decode_node,
    trie_root,
)
from khala.primitives.trie.node import LEAF, encode_branch, encode_header, encode_leaf

# Short keys from a small alphabet force shared prefixes, branch values and merges.
_keys = st.binary(min_size=0, max_size=4).map(lambda raw: bytes(byte % 4 for byte in raw))
_values = st.one_of(st.binary(max_size=8), st.binary(min_size=30, max_size=70))
_operations = st.lists(st.tuples(_keys, st.none() | _values), max_size=60)


@pytest.mark.parametrize("layout", list(Layout))
def test_incremental_equals_bulk_build(layout: Layout) -> None:
    """Inserting and deleting one by one yields the root of building the final set at once."""

    @given(_operations)
    def check(operations: list[tuple[bytes, bytes | None]]) -> None:
        trie = Trie(layout=layout)
        expected: dict[bytes, bytes] = {}
        for key, value in operations:
            if value is None:
                trie.delete(key)
                expected.pop(key, None)
            else:
                trie.insert(key, value)
                expected[key] = value
        assert trie.root_hash() == trie_root(expected.items(), layout)
        assert dict(trie.items()) == expected
        assert all(trie.get(key) == value for key, value in expected.items())

    check()


@pytest.mark.parametrize("layout", list(Layout))
def test_commit_then_reopen_from_root(layout: Layout) -> None:
    """A committed trie reopens from its root hash alone and keeps changing correctly."""

    @given(st.dictionaries(_keys, _values, max_size=40), _operations)
    def check(initial: dict[bytes, bytes], operations: list[tuple[bytes, bytes | None]]) -> None:
        store = MemoryNodeStore()
        root = Trie.from_items(initial.items(), layout, store).commit()
        reopened = Trie(store, layout, root)
        assert reopened.root_hash() == root
        expected = dict(initial)
        for key, value in operations:
            if value is None:
                reopened.delete(key)
                expected.pop(key, None)
            else:
                reopened.insert(key, value)
                expected[key] = value
        new_root = reopened.commit()
        assert new_root == trie_root(expected.items(), layout)
        assert dict(Trie(store, layout, new_root).items()) == expected

    check()


def test_prefix_iteration_is_ordered() -> None:
    """items(prefix) yields only keys under the prefix, in key order."""
    trie = Trie.from_items([(b"ab", b"1"), (b"abc", b"2"), (b"b", b"3"), (b"a", b"4")])
    assert list(trie.items(b"ab")) == [(b"ab", b"1"), (b"abc", b"2")]
    assert [key for key, _ in trie.items()] == [b"a", b"ab", b"abc", b"b"]


def test_missing_node_is_typed() -> None:
    """Opening a root that the store lacks fails with trie.missing_node on first access."""
    trie = Trie(MemoryNodeStore(), Layout.V1, b"\x11" * 32)
    with pytest.raises(TrieError) as caught:
        trie.get(b"key")
    assert caught.value.code is TrieErrorCode.MISSING_NODE
    assert Trie().root_hash() == EMPTY_ROOT


@pytest.mark.parametrize("count", [0, 1, 62, 63, 64, 316, 317, 318, 600])
def test_header_nibble_counts_roundtrip(count: int) -> None:
    """Leaf and branch headers carry any partial length, including continuation bytes."""
    partial = "a" * count
    leaf = decode_node(encode_leaf(partial, b"v", Layout.V0))
    assert leaf is not None and leaf.partial == partial and leaf.value == b"v"
    hashed = decode_node(encode_leaf(partial, b"x" * 40, Layout.V1))
    assert hashed is not None and hashed.partial == partial and hashed.value_hash is not None
    children: list[bytes | None] = [None] * 16
    children[3] = b"\x01" * 32
    branch = decode_node(encode_branch(partial, b"x" * 40, children, Layout.V1))
    assert branch is not None and branch.partial == partial and branch.children is not None
    assert branch.children[3] == b"\x01" * 32


def test_header_bytes_match_substrate_layout() -> None:
    """The 62/63 nibble boundary follows sp-trie: 63 nibbles need one extra byte of 0."""
    assert encode_header(LEAF, 62) == bytes([0x40 | 62])
    assert encode_header(LEAF, 63) == bytes([0x7F, 0x00])
    assert encode_header(LEAF, 62 + 255) == bytes([0x7F, 0xFE])
    assert encode_header(LEAF, 62 + 256) == bytes([0x7F, 0xFF, 0x00])


@pytest.mark.parametrize(
    "encoded",
    [
        b"",
        b"\x01",  # not a known node kind
        b"\x41\x10\x00",  # odd partial with a non-zero padding nibble
        b"\x80\x00\x00",  # branch with an empty bitmap
        b"\x42\xab",  # partial runs past the end
        b"\x41\x01\x04\x61\x62",  # trailing bytes after the value
        b"\x80\x01\x00\x84" + b"\x00" * 33,  # child reference longer than a hash
        b"\x7f",  # header continuation missing
    ],
)
def test_malformed_nodes_are_typed(encoded: bytes) -> None:
    """Every malformed node raises trie.invalid_node."""
    with pytest.raises(TrieError) as caught:
        decode_node(encoded)
    assert caught.value.code is TrieErrorCode.INVALID_NODE


def test_commit_after_root_hash_and_proof_persists_every_node() -> None:
    """Computing the root (or a proof) before committing still writes every new node."""
    from khala.primitives.trie import generate_proof

    store = MemoryNodeStore()
    items = {bytes([index, index % 3]): bytes([index]) * 40 for index in range(50)}
    trie = Trie.from_items(items.items(), Layout.V1, store)
    trie.root_hash()
    generate_proof(trie, [b"\x01\x01"])
    root = trie.commit()
    trie.insert(b"\x01\x01", b"changed" * 6)
    trie.root_hash()
    second = trie.commit()
    assert dict(Trie(store, Layout.V1, root).items()) == items
    assert Trie(store, Layout.V1, second).get(b"\x01\x01") == b"changed" * 6


@given(st.dictionaries(_keys, _values, max_size=20), _operations, st.lists(_keys, max_size=8))
def test_reads_between_writes_and_forks_see_each_tries_own_values(
    initial: dict[bytes, bytes],
    operations: list[tuple[bytes, bytes | None]],
    probes: list[bytes],
) -> None:
    """Remembered reads follow every write, and a fork's writes never reach its origin."""
    trie = Trie.from_items(initial.items())
    expected = dict(initial)
    for key in [*initial, *probes]:
        assert trie.get(key) == expected.get(key)  # fill the read cache first
    fork = trie.fork()
    forked = dict(expected)
    for key, value in operations:
        assert fork.get(key) == forked.get(key)
        if value is None:
            fork.delete(key)
            forked.pop(key, None)
        else:
            fork.insert(key, value)
            forked[key] = value
        assert fork.get(key) == forked.get(key)
    for key in {*initial, *probes, *(key for key, _ in operations)}:
        assert trie.get(key) == expected.get(key)
        assert fork.get(key) == forked.get(key)
    assert fork.root_hash() == trie_root(forked.items(), Layout.V1)


def test_every_truncation_of_a_branch_is_a_typed_error() -> None:
    """Hash and inline child references decode, and a node cut anywhere is refused as invalid."""
    encoded = encode_branch("a", None, [b"\x11" * 32, *[None] * 14, b"\x22" * 5], Layout.V1)
    node = decode_node(encoded)
    assert node is not None and node.children is not None
    assert node.children[0] == b"\x11" * 32 and node.children[15] == b"\x22" * 5
    for cut in range(1, len(encoded)):
        with pytest.raises(TrieError) as caught:
            decode_node(encoded[:cut])
        assert caught.value.code is TrieErrorCode.INVALID_NODE
