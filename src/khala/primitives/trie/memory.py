"""The trie's in-memory nodes: leaves and branches that cache their encoding and hash.

Stubs stand for a stored node until a path goes through it.

Nodes are shared between a trie and its forks (path copying), so a node is never changed
once another trie may hold it; only a branch's stub child is swapped for the loaded node
with the same content.
"""

from __future__ import annotations

from khala.primitives.trie.build import split_range


class Leaf:
    """A leaf: the rest of a key and its value."""

    __slots__ = ("encoded", "hash", "partial", "stored", "value")

    def __init__(self, partial: str, value: bytes) -> None:
        """Create a dirty leaf (no cached encoding, not yet in the store)."""
        self.partial = partial
        self.value = value
        self.encoded: bytes | None = None
        self.hash: bytes | None = None
        self.stored = False


class Branch:
    """A branch: a shared key part, an optional value and up to 16 children."""

    __slots__ = ("children", "encoded", "hash", "partial", "stored", "value")

    def __init__(self, partial: str, value: bytes | None, children: list[Child | None]) -> None:
        """Create a dirty branch (no cached encoding, not yet in the store)."""
        self.partial = partial
        self.value = value
        self.children = children
        self.encoded: bytes | None = None
        self.hash: bytes | None = None
        self.stored = False


class Stub:
    """A node known only by hash, loaded from the store when a path goes through it."""

    __slots__ = ("hash",)

    def __init__(self, node_hash: bytes) -> None:
        """Refer to the stored node with this hash."""
        self.hash = node_hash


Node = Leaf | Branch
"""A loaded node."""
Child = Leaf | Branch | Stub
"""What a branch slot or the root may hold."""


def same_child(before: Child | None, after: Child | None) -> bool:
    """Whether an update left a child as it was (a loaded stub counts as itself)."""
    if before is after:
        return True
    return (
        isinstance(before, Stub)
        and isinstance(after, Leaf | Branch)
        and after.stored
        and after.hash == before.hash
    )


def with_partial(node: Node, partial: str) -> Node:
    """``node`` under another partial key (its value and children kept)."""
    if isinstance(node, Leaf):
        return Leaf(partial, node.value)
    return Branch(partial, node.value, node.children)


HEX = "0123456789abcdef"
"""The hex digits, by nibble value."""
NIBBLE = {digit: int(digit, 16) for digit in HEX}
"""Each hex digit's nibble value (what ``int(digit, 16)`` computes, without the call)."""


def build_nodes(keys: list[str], values: list[bytes], low: int, high: int, depth: int) -> Node:
    """Build the subtrie of sorted hex keys ``keys[low:high]``, which share ``depth`` nibbles."""
    first = keys[low]
    if high - low == 1:
        return Leaf(first[depth:], values[low])
    common, valued, ranges = split_range(keys, low, high, depth)
    children: list[Child | None] = [None] * 16
    for nibble, start, end in ranges:
        children[nibble] = build_nodes(keys, values, start, end, common + 1)
    return Branch(first[depth:common], values[low] if valued else None, children)
