"""Exporting a node's finalized state to a snapshot, and starting a node from one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from khala.node.chain import Chain, ChainError, ChainErrorCode
from khala.node.storage import ChainStore, NodeStoreView, StoredBlock
from khala.primitives.trie import Layout, Trie, build_root
from khala.runtime.genesis import GenesisConfig, build_genesis_storage, genesis_block_header
from khala.snapshot.format import (
    SnapshotError,
    SnapshotErrorCode,
    SnapshotHead,
    SnapshotReader,
    genesis_proof,
    load_verified_state,
    verify_head,
    write_snapshot_file,
)
from khala.snapshot.set_changes import SET_CHANGE, proven_set

Progress = Callable[[str], None]
"""Receives a line of progress on long work."""


@dataclass(frozen=True, slots=True)
class SnapshotSummary:
    """What an export or import did."""

    number: int
    """The snapshot's block."""
    block_hash: bytes
    """Its hash."""
    items: int
    """State items."""
    bytes: int
    """The file's size."""


def export_snapshot(
    store: ChainStore,
    genesis: GenesisConfig,
    path: Path,
    progress: Progress = lambda _: None,
    at: int | None = None,
) -> SnapshotSummary:
    """Write the finalized block's (or block ``at``'s) state, header and justification.

    See :func:`export_chain_snapshot`, which this calls on the store's chain.

    Raises:
        ChainError: When the store holds another chain.
        SnapshotError: When the finalized block has no justification.
    """
    return export_chain_snapshot(Chain(store, genesis), genesis, path, progress, at)


def export_chain_snapshot(
    chain: Chain,
    genesis: GenesisConfig,
    path: Path,
    progress: Progress = lambda _: None,
    at: int | None = None,
    *,
    proof: list[bytes] | None = None,
) -> SnapshotSummary:
    """Write a snapshot of an open chain (a running node's own, from a worker thread).

    ``proof`` is :func:`chain_genesis_proof`'s answer when the caller kept it (it never
    changes; computing it may rebuild the whole genesis state).

    Block ``at`` must still have its state (within the pruning window). The head written is
    verified as an importer would (genesis proof, set changes, justification) before the
    items are.

    Written to ``path.partial`` first and renamed when complete, so a crash never leaves a
    file that looks whole.

    Raises:
        ChainError: ``chain.unknown_block``, or ``chain.state_pruned`` / a trie error when the
            state is pruned meanwhile.
        SnapshotError: When the block has no justification, or this node cannot prove the
            authority set that signed it.
    """
    store = chain.store
    finalized = store.finalized_hash() or chain.head_hash
    if at is not None:
        found = store.hash_at(at)
        if found is None:
            raise ChainError(ChainErrorCode.UNKNOWN_BLOCK, f"no block #{at} on this node")
        finalized = found
    header = chain.header(finalized)
    justification = store.justification(finalized)
    if justification is None:
        raise SnapshotError(
            SnapshotErrorCode.BAD_JUSTIFICATION, f"block #{header.number} has no justification"
        )
    chain.state_at(finalized)  # refuses a pruned state by name
    trie = Trie(NodeStoreView(store), Layout.V1, header.state_root)  # this thread's own
    genesis_hash = store.hash_at(0)
    genesis_header = store.header(genesis_hash) if genesis_hash is not None else None
    if genesis_header is None:
        raise ChainError(ChainErrorCode.UNKNOWN_BLOCK, "the genesis block is missing")
    proof = chain_genesis_proof(chain, genesis) if proof is None else proof
    changes = [
        change
        for change in map(SET_CHANGE.decode, store.set_changes())
        if change.header.number < header.number
    ]
    head = SnapshotHead(genesis_header, proof, changes, header, justification, 0)
    try:
        verify_head(head, genesis_header.hash())  # nothing an importer would refuse
    except SnapshotError as error:
        raise SnapshotError(
            error.code,
            f"{error.message}; this node lacks a record of its authority-set changes (it "
            "enacted one before it recorded them): export from a node that has them",
        ) from None
    partial = path.with_name(path.name + ".partial")
    count, size = write_snapshot_file(
        partial, head, trie.items(), lambda done: progress(f"exported {done:,} items")
    )
    partial.replace(path)
    progress(f"exported block #{header.number}: {count:,} items, {size:,} bytes")
    return SnapshotSummary(header.number, finalized, count, size)


def chain_genesis_proof(chain: Chain, genesis: GenesisConfig) -> list[bytes]:
    """The read proof of the genesis authority set, for snapshot heads.

    From the stored genesis state, or, once pruning removed it, from the genesis config
    rebuilt in memory (a minute per million accounts: callers that export repeatedly keep
    the answer).
    """
    genesis_hash = chain.store.hash_at(0)
    try:
        return genesis_proof(chain.state_at(genesis_hash))
    except ChainError:  # genesis state pruned: rebuild it from the config to prove from
        storage = build_genesis_storage(genesis)
        return genesis_proof(Trie.from_items(storage.items(), Layout.V1))


def import_snapshot(
    store: ChainStore, genesis: GenesisConfig, path: Path, progress: Progress = lambda _: None
) -> SnapshotSummary:
    """Verify a snapshot and make it the empty ``store``'s chain, at the snapshot's block.

    Nothing is written unless every check passes (chain, justification, state root,
    checksum), and then in one transaction.

    Raises:
        SnapshotError: Naming the check that failed, or ``snapshot.not_empty``.
    """
    if store.best_hash() is not None:
        raise SnapshotError(
            SnapshotErrorCode.NOT_EMPTY,
            "the base path already holds a chain; import into a new base path, or move its "
            "chain directory away first",
        )
    storage = build_genesis_storage(genesis)
    genesis_header = genesis_block_header(storage)
    head, _ = load_verified_state(path, genesis_header.hash(), NodeStoreView(store), progress)
    store.install_snapshot(
        genesis_header,
        StoredBlock(head.header, [], head.justification, {}),
        [(change.header.number, SET_CHANGE.encode(change)) for change in head.set_changes],
    )
    progress(f"imported block #{head.header.number} with {head.item_count:,} items")
    return SnapshotSummary(
        head.header.number, head.header.hash(), head.item_count, path.stat().st_size
    )


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """What a snapshot holds, once its head (and with ``full`` its state) verified."""

    number: int
    """The snapshot's block."""
    block_hash: bytes
    """Its hash."""
    state_root: bytes
    """Its state root."""
    set_changes: list[tuple[int, int]]
    """The authority-set changes it carries: (enacting block, new set id)."""
    items: int
    """State items."""
    bytes: int
    """The file's size."""
    state_checked: bool
    """Whether the items were read and rebuilt the state root (``--full``)."""


def inspect_snapshot(
    genesis: GenesisConfig, path: Path, *, full: bool, progress: Progress = lambda _: None
) -> SnapshotInfo:
    """Verify a snapshot for this chain without importing it; describe it.

    The head always (chain, set changes, justification); with ``full`` also every item and
    the checksum, rebuilding the state root without keeping the state (memory stays flat).

    Raises:
        SnapshotError: Naming the check that failed.
    """
    genesis_hash = genesis_block_header(build_genesis_storage(genesis)).hash()
    reader = SnapshotReader(path)
    try:
        head = reader.head
        verify_head(head, genesis_hash)
        if full:
            items = reader.items(
                lambda done: progress(f"read {done:,} of {head.item_count:,} items")
            )
            root = build_root(items, Layout.V1, None, presorted=True)
            if root != head.header.state_root:
                raise SnapshotError(
                    SnapshotErrorCode.STATE_ROOT_MISMATCH,
                    f"the items give state root 0x{root.hex()}, block #{head.header.number} "
                    f"says 0x{head.header.state_root.hex()}",
                )
    finally:
        reader.close()
    changes = [
        (change.header.number, proven_set(change.header.state_root, change.proof).set_id)
        for change in head.set_changes
    ]
    return SnapshotInfo(
        head.header.number,
        head.header.hash(),
        head.header.state_root,
        changes,
        head.item_count,
        path.stat().st_size,
        full,
    )
