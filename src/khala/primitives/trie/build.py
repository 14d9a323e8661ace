"""Building a whole trie at once: its root, and every node written to a store, in one pass.

Genesis states and snapshots hold millions of items that arrive all together and sorted (or
are sorted once). Building :class:`~khala.primitives.trie.trie.Trie` node objects, encoding
them, then walking them again to store them costs three passes and a Python object per node;
here each subtrie is encoded as soon as its children are, its node written to the store and
only its reference kept. The result is the same root and the same stored nodes (one ``put``
per occurrence, as :meth:`Trie.commit` does), so a :class:`Trie` opened on the root reads and
changes it as if it had been built node by node.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable

from khala.primitives.hashing import blake2_256
from khala.primitives.trie.errors import TrieError, TrieErrorCode
from khala.primitives.trie.node import (
    EMPTY_NODE,
    EMPTY_ROOT,
    HASH_LENGTH,
    Layout,
    encode_branch,
    encode_leaf,
    has_hashed_value,
)
from khala.primitives.trie.store import NodeStore

_HEX = "0123456789abcdef"

Put = Callable[[bytes, bytes], None]
"""Receives ``(hash, encoding)`` of each stored node and hashed value."""


def common_length(left: str, right: str) -> int:
    """How many leading nibbles two hex paths share (one integer comparison, not a loop)."""
    limit = min(len(left), len(right))
    if limit == 0:
        return 0
    differing = int(left[:limit], 16) ^ int(right[:limit], 16)
    return limit - (differing.bit_length() + 3) // 4


def build_root(
    items: Iterable[tuple[bytes, bytes]],
    layout: Layout = Layout.V1,
    store: NodeStore | None = None,
    *,
    presorted: bool = False,
) -> bytes:
    """Return the root of ``items``, writing every node and hashed value into ``store``.

    ``presorted`` promises the keys arrive in strictly increasing order (a snapshot's reader
    checks that); otherwise later pairs win and the keys are sorted first.

    Raises:
        TrieError: ``trie.unsorted_items`` when ``presorted`` keys are out of order.
    """
    keys: list[str] = []
    values: list[bytes] = []
    if presorted:
        previous = ""
        for key, value in items:
            path = key.hex()
            if keys and path <= previous:
                raise TrieError(
                    TrieErrorCode.UNSORTED_ITEMS, f"key 0x{path} does not follow 0x{previous}"
                )
            keys.append(path)
            values.append(value)
            previous = path
    else:
        merged = {key.hex(): value for key, value in items}
        keys = sorted(merged)
        values = [merged[path] for path in keys]
    put: Put | None = None if store is None else store.put
    if not keys:
        if store is not None and store.get(EMPTY_ROOT) is None:
            store.put(EMPTY_ROOT, EMPTY_NODE)
        return EMPTY_ROOT
    reference = _encode_range(keys, values, 0, len(keys), 0, layout, put)
    if len(reference) == HASH_LENGTH:
        return reference  # hashed (and stored) like every node of 32 bytes or more
    root = blake2_256(reference)  # a tiny root: its reference is its encoding
    if store is not None and store.get(root) is None:
        store.put(root, reference)  # stored by hash too, as Trie.commit does
    return root


def _encode_range(
    keys: list[str],
    values: list[bytes],
    low: int,
    high: int,
    depth: int,
    layout: Layout,
    put: Put | None,
) -> bytes:
    """Encode and store the subtrie of ``keys[low:high]`` (sharing ``depth`` nibbles).

    Returns how its parent refers to it: the encoding below 32 bytes, else its hash.
    """
    first = keys[low]
    if high - low == 1:
        return _reference(encode_leaf(first[depth:], values[low], layout), values[low], put)
    common, valued, ranges = split_range(keys, low, high, depth)
    value = values[low] if valued else None
    references: list[bytes | None] = [None] * 16
    for nibble, start, end in ranges:
        references[nibble] = _encode_range(keys, values, start, end, common + 1, layout, put)
    return _reference(encode_branch(first[depth:common], value, references, layout), value, put)


def split_range(
    keys: list[str], low: int, high: int, depth: int
) -> tuple[int, bool, list[tuple[int, int, int]]]:
    """How the sorted hex keys ``keys[low:high]`` (two or more) form one branch.

    Returns the branch's path length (its partial key ends there), whether ``keys[low]`` is
    the branch's own value, and each child's ``(nibble, start, end)`` range of keys.
    """
    first = keys[low]
    common = depth + common_length(first[depth:], keys[high - 1][depth:])
    valued = len(first) == common
    position = low + 1 if valued else low
    prefix = first[:common]
    ranges = []
    while position < high:
        nibble = int(keys[position][common], 16)
        end = high if nibble == 15 else bisect_left(keys, prefix + _HEX[nibble + 1], position, high)
        ranges.append((nibble, position, end))
        position = end
    return common, valued, ranges


def _reference(encoded: bytes, value: bytes | None, put: Put | None) -> bytes:
    """Store a node (when referenced by hash) and its hashed value; return its reference."""
    if len(encoded) < HASH_LENGTH:
        reference = encoded
    else:
        reference = blake2_256(encoded)
        if put is not None:
            put(reference, encoded)
    if put is not None and value is not None and has_hashed_value(encoded):
        put(blake2_256(value), value)
    return reference
