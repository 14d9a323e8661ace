"""Chain storage: blocks, justifications, the canonical chain and trie nodes, with pruning.

:class:`ChainStore` is the interface; :class:`MemoryChainStore` keeps everything in dicts (for
tests) and :class:`khala.node.lmdb_store.LmdbChainStore` in LMDB. Writes go through
:meth:`ChainStore.commit_block`, which stores a block, its justification, its new trie nodes
and storage changes, and moves the head pointers in **one** transaction: a crash (even
``kill -9``) leaves either the whole block or none of it. Trie nodes written by
``Trie.commit`` are buffered until that commit.

**State pruning** (Substrate's model, DESIGN §11). Every stored trie node carries a count of
its occurrences; each block's commit journals the nodes its changes superseded
(``Trie.take_removed``). With a window of N blocks, committing block h releases the journal
of block h − N + 1: those nodes lose an occurrence and go when none is left, in the same
transaction. The states of the last N blocks stay readable; older ones are pruned (blocks,
headers and justifications are all kept). ``archive`` (N = None) journals but never releases.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from khala.errors import KhalaError
from khala.primitives.trie import RefCountedNodeStore
from khala.primitives.types import Header

DEFAULT_STATE_PRUNING = 256
"""Blocks whose state a node keeps by default (Substrate's default): enough for reads at
recent blocks and for workers and relayers a few minutes behind."""


class StorageErrorCode(StrEnum):
    """Codes of :class:`StorageError`."""

    CORRUPT = "storage.corrupt"
    """The chain database is damaged (truncated, empty or unreadable); the message names the
    file: restore it from a backup, or start a new chain with ``--fresh``."""
    FULL = "storage.full"
    """The database reached ``--db-max-size``; raise the limit (or prune more state)."""


class StorageError(KhalaError):
    """The chain database cannot be used."""


def corrupt(path: Path | str, why: str) -> StorageError:
    """The error for a damaged database file, saying what to do."""
    return StorageError(
        StorageErrorCode.CORRUPT,
        f"{path} is damaged ({why}); restore it from a backup, or start a new chain with --fresh",
    )


@dataclass(frozen=True, slots=True)
class StoredBlock:
    """What a block commit writes."""

    header: Header
    """The sealed header."""
    extrinsics: list[bytes]
    """The body."""
    justification: bytes | None
    """The encoded finality justification, if the block is final."""
    changes: dict[bytes, bytes | None]
    """The block's storage changes (served to workers)."""
    set_change: bytes | None = None
    """When the block is final and enacted a new authority set: the encoded
    :class:`khala.snapshot.set_changes.SetChange` proving it (kept for snapshots)."""


class ChainStore(Protocol):
    """Persistent chain data."""

    def get_node(self, node_hash: bytes) -> bytes | None:
        """Return a trie node (``NodeStore.get``)."""
        ...

    def put(self, node_hash: bytes, encoded: bytes) -> None:
        """Buffer a trie node until the next block commit (``NodeStore.put``)."""
        ...

    def commit_block(
        self, block: StoredBlock, *, finalized: bool, removed: list[bytes] | None = None
    ) -> None:
        """Atomically store a block with its buffered nodes and make it the head.

        ``removed`` lists the nodes the block's changes superseded (journaled for pruning).
        """
        ...

    def finalize(
        self, block_hash: bytes, justification: bytes, set_change: bytes | None = None
    ) -> None:
        """Store a committed block's justification and make it the finalized block.

        One transaction (with ``set_change``, the block's :attr:`StoredBlock.set_change`); the
        clustered engine finalizes blocks after their votes arrive.
        """
        ...

    def set_changes(self) -> list[bytes]:
        """Every recorded authority-set change (encoded ``SetChange``), in block order."""
        ...

    def oldest_state(self) -> int:
        """The lowest block number whose state is still stored (0 for an archive)."""
        ...

    def install_snapshot(
        self, genesis: Header, block: StoredBlock, set_changes: list[tuple[int, bytes]]
    ) -> None:
        """Make an empty store hold ``genesis`` and ``block`` (head, with the buffered state).

        One transaction, with the snapshot's verified set changes (block number, encoded
        ``SetChange``) so this node's own snapshots carry them on; older blocks and states are
        absent.
        """
        ...

    def header(self, block_hash: bytes) -> Header | None:
        """Return a stored header."""
        ...

    def body(self, block_hash: bytes) -> list[bytes] | None:
        """Return a stored body."""
        ...

    def justification(self, block_hash: bytes) -> bytes | None:
        """Return a stored justification."""
        ...

    def changes(self, block_hash: bytes) -> dict[bytes, bytes | None] | None:
        """Return a block's storage changes."""
        ...

    def hash_at(self, number: int) -> bytes | None:
        """Return the canonical block hash at ``number``."""
        ...

    def best_hash(self) -> bytes | None:
        """Return the head's hash (None for an empty store)."""
        ...

    def finalized_hash(self) -> bytes | None:
        """Return the last finalized block's hash."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


class NodeStoreView:
    """Adapts a :class:`ChainStore` to the trie's ``NodeStore`` interface."""

    def __init__(self, store: ChainStore) -> None:
        """Wrap ``store``."""
        self._store = store

    def get(self, node_hash: bytes) -> bytes | None:
        """Return a node."""
        return self._store.get_node(node_hash)

    def put(self, node_hash: bytes, encoded: bytes) -> None:
        """Buffer a node for the next commit."""
        self._store.put(node_hash, encoded)


class MemoryChainStore:
    """A :class:`ChainStore` in memory, pruning as the LMDB store does."""

    def __init__(self, state_pruning: int | None = DEFAULT_STATE_PRUNING) -> None:
        """Create an empty store keeping the last ``state_pruning`` blocks' state (None: all)."""
        self.state_pruning = state_pruning
        self._nodes = RefCountedNodeStore()
        self._pending: dict[bytes, tuple[bytes, int]] = {}
        self._journal: dict[int, list[bytes]] = {}
        self._oldest_state = 0
        self._blocks: dict[bytes, StoredBlock] = {}
        self._numbers: dict[int, bytes] = {}
        self._best: bytes | None = None
        self._finalized: bytes | None = None
        self._set_changes: dict[int, bytes] = {}

    def get_node(self, node_hash: bytes) -> bytes | None:
        """Return a node, pending or committed."""
        pending = self._pending.get(node_hash)
        return pending[0] if pending is not None else self._nodes.get(node_hash)

    def put(self, node_hash: bytes, encoded: bytes) -> None:
        """Buffer one more occurrence of a node."""
        previous = self._pending.get(node_hash)
        self._pending[node_hash] = (encoded, 1 if previous is None else previous[1] + 1)

    def commit_block(
        self, block: StoredBlock, *, finalized: bool, removed: list[bytes] | None = None
    ) -> None:
        """Store the block, count its nodes, journal and prune, move the head."""
        block_hash = block.header.hash()
        number = block.header.number
        for node_hash, (encoded, count) in self._pending.items():
            self._nodes.put(node_hash, encoded, count)
        self._pending.clear()
        if removed:
            self._journal[number] = list(removed)
        expired = pruned_journal(number, self.state_pruning)
        if expired is not None:
            journal = self._journal.pop(expired, [])
            if self.state_pruning is not None:
                self._nodes.release(journal)
                self._oldest_state = expired
        self._blocks[block_hash] = block
        self._numbers[number] = block_hash
        self._best = block_hash
        if finalized:
            self._finalized = block_hash
            if block.set_change is not None:
                self._set_changes[number] = block.set_change

    def finalize(
        self, block_hash: bytes, justification: bytes, set_change: bytes | None = None
    ) -> None:
        """Attach the justification and move the finalized pointer."""
        block = self._blocks[block_hash]
        self._blocks[block_hash] = replace(block, justification=justification)
        self._finalized = block_hash
        if set_change is not None:
            self._set_changes[block.header.number] = set_change

    def set_changes(self) -> list[bytes]:
        """The recorded set changes in block order."""
        return [self._set_changes[number] for number in sorted(self._set_changes)]

    def install_snapshot(
        self, genesis: Header, block: StoredBlock, set_changes: list[tuple[int, bytes]]
    ) -> None:
        """Hold ``genesis``, the set changes and, as the finalized head, ``block``."""
        self._numbers[0] = genesis.hash()
        self._blocks[genesis.hash()] = StoredBlock(genesis, [], None, {})
        self._set_changes.update(set_changes)
        self.commit_block(block, finalized=True)
        self._oldest_state = block.header.number

    def oldest_state(self) -> int:
        """The lowest block whose state is kept."""
        return self._oldest_state

    def node_count(self) -> int:
        """Return how many trie nodes are stored (for diagnostics and tests)."""
        return len(self._nodes)

    def node_hashes(self) -> list[bytes]:
        """Every stored trie node's hash (diagnostics and tests)."""
        return list(self._nodes.nodes)

    def header(self, block_hash: bytes) -> Header | None:
        """Return a header."""
        block = self._blocks.get(block_hash)
        return None if block is None else block.header

    def body(self, block_hash: bytes) -> list[bytes] | None:
        """Return a body."""
        block = self._blocks.get(block_hash)
        return None if block is None else list(block.extrinsics)

    def justification(self, block_hash: bytes) -> bytes | None:
        """Return a justification."""
        block = self._blocks.get(block_hash)
        return None if block is None else block.justification

    def changes(self, block_hash: bytes) -> dict[bytes, bytes | None] | None:
        """Return a block's changes."""
        block = self._blocks.get(block_hash)
        return None if block is None else dict(block.changes)

    def hash_at(self, number: int) -> bytes | None:
        """Return the canonical hash at a height."""
        return self._numbers.get(number)

    def best_hash(self) -> bytes | None:
        """Return the head."""
        return self._best

    def finalized_hash(self) -> bytes | None:
        """Return the finalized head."""
        return self._finalized

    def close(self) -> None:
        """Nothing to release."""


def pruned_journal(number: int, state_pruning: int | None) -> int | None:
    """The block whose journal goes when block ``number`` is committed, if any.

    Releasing block b's journal drops the nodes only states before b held, so with a window
    of N the journal of ``number − N + 1`` goes and that block's state is the oldest kept.
    Archive nodes drop the same journals without releasing anything (the journal is only
    needed while it may still be released).
    """
    window = state_pruning if state_pruning is not None else DEFAULT_STATE_PRUNING
    expired = number - window + 1
    return expired if expired >= 1 else None
