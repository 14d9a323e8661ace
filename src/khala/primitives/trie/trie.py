"""An incremental Substrate state trie over a node store.

Nodes are Python objects that cache their encoding and hash. Changing a key copies only the
nodes on its path (path copying), so after any number of inserts and deletes, computing the
root re-encodes and re-hashes just those dirty paths; untouched subtrees keep their cached
hashes or stay unloaded :class:`Stub` references into the store. ``commit`` writes the new
nodes to the store, after which a trie can be reopened from its root hash alone.

**Pruning support.** Every stored node a change supersedes (replaced on a changed path, or
deleted) is recorded; :meth:`Trie.take_removed` hands the list to the store's owner, which
releases those nodes once no state it keeps needs them. A node is put once per occurrence
and released once per occurrence, so reference counts stay exact with shared subtrees and
values.

Recursion follows the key's branch depth, at most two levels per key byte, well inside
Python's limit for storage keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from khala.primitives.hashing import blake2_256
from khala.primitives.trie.build import build_root, common_length
from khala.primitives.trie.errors import TrieError, TrieErrorCode
from khala.primitives.trie.memory import (
    HEX,
    NIBBLE,
    Branch,
    Child,
    Leaf,
    Node,
    Stub,
    build_nodes,
    same_child,
    with_partial,
)
from khala.primitives.trie.node import (
    EMPTY_NODE,
    EMPTY_ROOT,
    HASH_LENGTH,
    Layout,
    decode_node,
    encode_branch,
    encode_leaf,
    has_hashed_value,
)
from khala.primitives.trie.store import MemoryNodeStore, NodeStore

VALUE_CACHE_SIZE = 8_192
"""Values each trie remembers by key between writes: the accounts of several blocks of
transfers, bounded for memory (cleared when full)."""
_UNKNOWN = object()
"""Cache-miss marker (None is a cached answer: the key is absent)."""


class Trie:
    """A mutable view of a state trie with incremental root computation."""

    def __init__(
        self,
        store: NodeStore | None = None,
        layout: Layout = Layout.V1,
        root: bytes = EMPTY_ROOT,
    ) -> None:
        """Open the trie with root ``root`` in ``store`` (a new empty trie by default)."""
        self.store: NodeStore = store if store is not None else MemoryNodeStore()
        self.layout = layout
        self._root: Child | None = None if root == EMPTY_ROOT else Stub(root)
        self._removed: list[bytes] = []
        self._values: dict[bytes, bytes | None] = {}

    @classmethod
    def from_items(
        cls,
        items: Iterable[tuple[bytes, bytes]],
        layout: Layout = Layout.V1,
        store: NodeStore | None = None,
    ) -> Trie:
        """Build a trie from key/value pairs in one pass over the sorted keys (later pairs win)."""
        merged = {key.hex(): value for key, value in items}
        keys = sorted(merged)
        values = [merged[key] for key in keys]
        trie = cls(store, layout)
        trie._root = build_nodes(keys, values, 0, len(keys), 0) if keys else None
        return trie

    def get(self, key: bytes) -> bytes | None:
        """Return the value stored under ``key``, or None.

        Answers are remembered per key until the key is written (a block reads the same
        accounts several times; only :meth:`insert` and :meth:`delete` change a value).
        """
        cache = self._values
        value = cache.get(key, _UNKNOWN)
        if value is _UNKNOWN:
            value = self._lookup(key)
            if len(cache) >= VALUE_CACHE_SIZE:
                cache.clear()
            cache[key] = value
        return value  # type: ignore[return-value]

    def _lookup(self, key: bytes) -> bytes | None:
        path = key.hex()
        end = len(path)
        position = 0  # nibbles of the path consumed (an index: no slice copied per level)
        if isinstance(self._root, Stub):
            self._root = self._load(self._root)
        node = self._root
        while node is not None:
            partial = node.partial
            if not path.startswith(partial, position):
                return None
            position += len(partial)
            if isinstance(node, Leaf):
                return node.value if position == end else None
            if position == end:
                return node.value
            index = NIBBLE[path[position]]
            child = node.children[index]
            if isinstance(child, Stub):
                # Same content and hash: swapping in the loaded node keeps every cached
                # encoding valid and saves decoding it again on the next read.
                child = node.children[index] = self._load(child)
            node = child
            position += 1
        return None

    def insert(self, key: bytes, value: bytes) -> None:
        """Set ``key`` to ``value``."""
        self._values.pop(key, None)
        self._root = self._insert(self._root, key.hex(), value)

    def delete(self, key: bytes) -> None:
        """Remove ``key`` if present."""
        self._values.pop(key, None)
        self._root = self._delete(self._root, key.hex())

    def items(self, prefix: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        """Yield ``(key, value)`` pairs in key order, optionally only those under ``prefix``."""
        wanted = prefix.hex()
        if self._root is not None:
            for path, value in self._walk(self._root, "", wanted):
                yield bytes.fromhex(path), value

    def take_removed(self) -> list[bytes]:
        """Return and forget the hashes of stored nodes (and values) superseded since last call.

        Once the state before the changes is no longer needed, each may be released from the
        store (one release per occurrence).
        """
        removed, self._removed = self._removed, []
        return removed

    def root_hash(self) -> bytes:
        """Return the root hash, encoding only nodes changed since they were last encoded."""
        if self._root is None:
            return EMPTY_ROOT
        if isinstance(self._root, Stub):
            return self._root.hash
        encoded = self._encode(self._root)
        root = self._root.hash or blake2_256(encoded)
        self._root.hash = root
        return root

    def commit(self) -> bytes:
        """Write every node not yet in the store and return the root hash.

        Safe after any earlier :meth:`root_hash` calls: what is written depends on each node's
        ``stored`` flag, not on when it was encoded.
        """
        root = self.root_hash()
        if self._root is None:
            if self.store.get(EMPTY_ROOT) is None:
                self.store.put(EMPTY_ROOT, EMPTY_NODE)
        elif not isinstance(self._root, Stub) and not self._root.stored:
            encoded = self._root.encoded
            self._persist(self._root)
            if encoded is not None and len(encoded) < HASH_LENGTH and self.store.get(root) is None:
                # A tiny root is stored by hash too (once: tiny states are never pruned).
                self.store.put(root, encoded)
        return root

    def fork(self) -> Trie:
        """Return a trie sharing this one's nodes; changes to either never affect the other.

        Path copying makes this O(1): a verifier applies a block to a fork and adopts it only
        when the result checks out.
        """
        forked = Trie(self.store, self.layout)
        forked._root = self._root
        forked._removed = list(self._removed)
        forked._values = dict(self._values)
        return forked

    def root_node(self) -> Child | None:
        """Return the root node (for proof generation)."""
        return self._root

    def load(self, node: Child) -> Node:
        """Return ``node`` loaded from the store if it is a :class:`Stub`."""
        return self._load(node)

    def _load(self, node: Child) -> Node:
        if not isinstance(node, Stub):
            return node
        encoded = self.store.get(node.hash)
        if encoded is None:
            raise TrieError(
                TrieErrorCode.MISSING_NODE, f"trie node 0x{node.hash.hex()} is not in the store"
            )
        loaded = self._from_encoding(encoded)
        loaded.hash = node.hash
        return loaded

    def _from_encoding(self, encoded: bytes) -> Node:
        decoded = decode_node(encoded)
        if decoded is None:
            raise TrieError(
                TrieErrorCode.INVALID_NODE, "the empty node cannot appear inside a trie"
            )
        value = decoded.value
        if decoded.value_hash is not None:
            value = self.store.get(decoded.value_hash)
            if value is None:
                raise TrieError(
                    TrieErrorCode.MISSING_NODE,
                    f"value node 0x{decoded.value_hash.hex()} is not in the store",
                )
        node: Node
        if decoded.children is None:
            node = Leaf(decoded.partial, value or b"")
        else:
            children: list[Child | None] = [
                None
                if reference is None
                else Stub(reference)
                if len(reference) == HASH_LENGTH
                else self._from_encoding(reference)
                for reference in decoded.children
            ]
            node = Branch(decoded.partial, value, children)
        node.encoded = encoded
        node.stored = True
        return node

    def _insert(self, original: Child | None, path: str, value: bytes) -> Node:
        if original is None:
            return Leaf(path, value)
        node = self._load(original)
        partial = node.partial
        # Walking down (the usual case) the node's partial key is a prefix of the path.
        common = len(partial) if path.startswith(partial) else common_length(partial, path)
        if common == len(partial):
            rest = path[common:]
            if isinstance(node, Leaf):
                if not rest:
                    if node.value == value:
                        return node
                    self._supersede(node)
                    return Leaf(partial, value)
                self._supersede(node)
                children: list[Child | None] = [None] * 16
                children[NIBBLE[rest[0]]] = Leaf(rest[1:], value)
                return Branch(partial, node.value, children)
            if not rest:
                if node.value == value:
                    return node
                self._supersede(node)
                return Branch(partial, value, node.children)
            index = NIBBLE[rest[0]]
            child = node.children[index]
            updated = self._insert(child, rest[1:], value)
            if same_child(child, updated):
                return node
            self._supersede(node)
            children = list(node.children)
            children[index] = updated
            return Branch(partial, node.value, children)
        self._supersede(node)
        children = [None] * 16
        children[NIBBLE[partial[common]]] = with_partial(node, partial[common + 1 :])
        if len(path) == common:
            return Branch(path, value, children)
        children[NIBBLE[path[common]]] = Leaf(path[common + 1 :], value)
        return Branch(path[:common], None, children)

    def _delete(self, original: Child | None, path: str) -> Child | None:
        if original is None:
            return None
        node = self._load(original)
        if not path.startswith(node.partial):
            return original
        rest = path[len(node.partial) :]
        if isinstance(node, Leaf):
            if rest:
                return original
            self._supersede(node)
            return None
        if not rest:
            if node.value is None:
                return original
            self._supersede(node)
            return self._normalize(Branch(node.partial, None, node.children))
        index = NIBBLE[rest[0]]
        child = node.children[index]
        updated = self._delete(child, rest[1:])
        if updated is child:
            return original
        self._supersede(node)
        children = list(node.children)
        children[index] = updated
        return self._normalize(Branch(node.partial, node.value, children))

    def _normalize(self, branch: Branch) -> Node | None:
        """Restore the no-extension invariant after a delete: merge or collapse the branch."""
        present = [(index, child) for index, child in enumerate(branch.children) if child]
        if not present:
            return None if branch.value is None else Leaf(branch.partial, branch.value)
        if len(present) == 1 and branch.value is None:
            index, only = present[0]
            child = self._load(only)
            self._supersede(child)
            return with_partial(child, branch.partial + HEX[index] + child.partial)
        return branch

    def _supersede(self, node: Node) -> None:
        """Record a stored node (and its hashed value) that the new state no longer holds."""
        encoded = node.encoded
        if not node.stored or encoded is None:
            return
        if node.hash is not None and len(encoded) >= HASH_LENGTH:
            self._removed.append(node.hash)
        if node.value is not None and has_hashed_value(encoded):
            self._removed.append(blake2_256(node.value))

    def _encode(self, node: Node) -> bytes:
        """Return the node's encoding, computing it (and its hash) only for dirty nodes."""
        if node.encoded is not None:
            return node.encoded
        if isinstance(node, Leaf):
            encoded = encode_leaf(node.partial, node.value, self.layout)
        else:
            references: list[bytes | None] = [None] * 16
            for index, child in enumerate(node.children):
                if child is None:
                    continue
                if isinstance(child, Stub):
                    references[index] = child.hash
                    continue
                child_encoded = self._encode(child)
                references[index] = (
                    child_encoded if len(child_encoded) < HASH_LENGTH else child.hash
                )
            encoded = encode_branch(node.partial, node.value, references, self.layout)
        node.encoded = encoded
        if len(encoded) >= HASH_LENGTH:
            node.hash = blake2_256(encoded)
        return encoded

    def _persist(self, node: Node) -> None:
        """Write a node and its unstored descendants; stored subtrees are skipped whole.

        Path copying guarantees a stored node never has unstored children.
        """
        if node.stored:
            return
        encoded = node.encoded
        if encoded is None:
            raise TrieError(TrieErrorCode.MISSING_NODE, "commit reached a node with no encoding")
        if node.hash is not None and len(encoded) >= HASH_LENGTH:
            self.store.put(node.hash, encoded)
        if node.value is not None and has_hashed_value(encoded):
            self.store.put(blake2_256(node.value), node.value)
        node.stored = True
        if isinstance(node, Branch):
            for child in node.children:
                if child is not None and not isinstance(child, Stub):
                    self._persist(child)

    def _walk(self, original: Child, path: str, wanted: str) -> Iterator[tuple[str, bytes]]:
        node = self._load(original)
        path += node.partial
        if not (path.startswith(wanted) or wanted.startswith(path)):
            return
        if node.value is not None and path.startswith(wanted):
            yield path, node.value
        if isinstance(node, Branch):
            for index, child in enumerate(node.children):
                if child is not None:
                    yield from self._walk(child, path + HEX[index], wanted)


def trie_root(items: Iterable[tuple[bytes, bytes]], layout: Layout = Layout.V1) -> bytes:
    """Return the root hash of a key/value set (Substrate's ``trie_root``)."""
    return build_root(items, layout)
