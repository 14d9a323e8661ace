"""Where trie nodes live: an interface keyed by node hash, and its in-memory implementation.

Nodes are content-addressed (the key is the blake2-256 of the encoding), so a store never
needs updates in place: committing a trie only adds nodes. The node service later backs this
interface with LMDB; tests and proofs use :class:`MemoryNodeStore`.
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
