"""Where trie nodes live: an interface keyed by node hash, and its in-memory implementation.

Nodes are content-addressed (the key is the blake2-256 of the encoding), so a store never
needs updates in place: committing a trie only adds nodes. The node backs this interface with
LMDB; tests and proofs use :class:`MemoryNodeStore`; a worker, which keeps only its current
state, uses :class:`RefCountedNodeStore`.
"""

from __future__ import annotations

from typing import Protocol


class NodeStore(Protocol):
    """Content-addressed storage of encoded trie nodes and V1 value nodes."""

    def get(self, node_hash: bytes) -> bytes | None:
        """Return the encoded node (or value) with this hash, or None if absent."""
        ...

    def put(self, node_hash: bytes, encoded: bytes) -> None:
        """Store an encoded node (or value) under its hash."""
        ...


class MemoryNodeStore:
    """A :class:`NodeStore` in a dict; also the proof database of a verifier."""

    def __init__(self, nodes: dict[bytes, bytes] | None = None) -> None:
        """Create the store, optionally pre-filled with ``hash -> encoding`` pairs."""
        self.nodes: dict[bytes, bytes] = dict(nodes or {})

    def get(self, node_hash: bytes) -> bytes | None:
        """Return the node with this hash, or None."""
        return self.nodes.get(node_hash)

    def put(self, node_hash: bytes, encoded: bytes) -> None:
        """Store a node under its hash."""
        self.nodes[node_hash] = encoded

    def __len__(self) -> int:
        """Return the number of stored nodes."""
        return len(self.nodes)


class RefCountedNodeStore:
    """A :class:`NodeStore` in memory that forgets nodes no state holds any more.

    Each ``put`` counts one occurrence of a node; :meth:`release` takes occurrences back (what
    :meth:`Trie.take_removed` lists) and deletes a node when none is left. A holder of only
    the current state (a worker) releases each block's superseded nodes once it adopted the
    block, so its memory follows the size of the state, not the length of the chain.
    """

    def __init__(self) -> None:
        """Create an empty store."""
        self.nodes: dict[bytes, bytes] = {}
        self.refs: dict[bytes, int] = {}

    def get(self, node_hash: bytes) -> bytes | None:
        """Return the node with this hash, or None."""
        return self.nodes.get(node_hash)

    def put(self, node_hash: bytes, encoded: bytes, occurrences: int = 1) -> None:
        """Store ``occurrences`` more occurrences of a node."""
        self.nodes[node_hash] = encoded
        self.refs[node_hash] = self.refs.get(node_hash, 0) + occurrences

    def release(self, node_hashes: list[bytes]) -> None:
        """Take back one occurrence of each node; delete those with none left."""
        for node_hash in node_hashes:
            left = self.refs.get(node_hash, 0) - 1
            if left > 0:
                self.refs[node_hash] = left
            else:
                self.refs.pop(node_hash, None)
                self.nodes.pop(node_hash, None)

    def __len__(self) -> int:
        """Return the number of stored nodes."""
        return len(self.nodes)
