"""The chain store in LMDB: one write transaction per block, state pruning, a growing map.

LMDB reserves address space up front (the *map*); khala starts with 1 GiB and doubles it when a
commit reports the map full, up to ``--db-max-size``, where the commit fails with a typed
``storage.full`` error instead of silently stopping. Trie nodes are stored with their
occurrence counts and each block's superseded nodes are journaled, so pruning (see
:mod:`khala.node.storage`) deletes them in the transaction of the block that lets them go.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from operator import itemgetter
from pathlib import Path

import lmdb
import structlog

from khala.node.lmdb_check import DATA_FILE, check_lmdb_file
from khala.node.storage import (
    DEFAULT_STATE_PRUNING,
    StorageError,
    StorageErrorCode,
    StoredBlock,
    corrupt,
    pruned_journal,
)
from khala.primitives.scale import Codec, codec_of
from khala.primitives.types import Header
from khala.runtime.block import OpaqueExtrinsic

log = structlog.get_logger("khala.node.storage")

INITIAL_MAP_SIZE = 1 << 30
"""The first address-space reservation (1 GiB); the file grows only as data is written, and
the map doubles whenever it is full."""
DEFAULT_MAX_SIZE = 1 << 40
"""Largest map by default (1 TiB), far above a pruned node's needs; ``--db-max-size`` sets it."""
REFCOUNTED = b"refcounted"
"""Meta key present in databases that count node occurrences (all created since pruning)."""
_SET_CHANGE_PREFIX = b"set_change/"
"""Meta keys of recorded authority-set changes, followed by the block number (big-endian, so
they sort in block order)."""
_BODY: Codec[list[bytes]] = codec_of(list[OpaqueExtrinsic])
_HEADER: Codec[Header] = codec_of(Header)
_CHANGES: Codec[list[tuple[bytes, bytes | None]]] = codec_of(list[tuple[bytes, bytes | None]])


class LmdbChainStore:
    """A :class:`khala.node.storage.ChainStore` in an LMDB environment under ``path``."""

    def __init__(
        self,
        path: Path,
        *,
        state_pruning: int | None = DEFAULT_STATE_PRUNING,
        max_size: int = DEFAULT_MAX_SIZE,
        initial_size: int = INITIAL_MAP_SIZE,
        sync: bool = True,
    ) -> None:
        """Open (or create) the database, pruning to the last ``state_pruning`` blocks.

        ``sync=False`` skips fsync at each commit (benchmarks measuring bytes only; a crash may
        then lose recent blocks).

        A database written before pruning existed has no occurrence counts: it is kept whole
        (archive), with a warning.

        Raises:
            StorageError: ``storage.corrupt`` when an existing data file is damaged.
        """
        path.mkdir(parents=True, exist_ok=True)
        check_lmdb_file(path)
        self.path = path / DATA_FILE
        self.max_size = max_size
        existing = self.path.stat().st_size if self.path.exists() else 0
        map_size = min(max(initial_size, 2 * existing), max(max_size, existing))
        try:
            self._env = lmdb.open(
                str(path), map_size=map_size, max_dbs=10, sync=sync, metasync=sync
            )
            self._nodes = self._env.open_db(b"nodes")
            self._refs = self._env.open_db(b"refs")
            self._journal = self._env.open_db(b"journal")
            self._headers = self._env.open_db(b"headers")
            self._bodies = self._env.open_db(b"bodies")
            self._justifications = self._env.open_db(b"justifications")
            self._changes = self._env.open_db(b"changes")
            self._numbers = self._env.open_db(b"numbers")
            self._meta = self._env.open_db(b"meta")
        except lmdb.Error as error:
            raise corrupt(self.path, str(error)) from None
        self._pending: dict[bytes, tuple[bytes, int]] = {}
        self._readers = threading.Lock()  # held by each read, and by a resize
        self.state_pruning = state_pruning
        if self.best_hash() is None:
            self._write(self._mark_refcounted)
        elif self._get(self._meta, REFCOUNTED) is None:
            if state_pruning is not None:
                log.warning(
                    "database predates state pruning: keeping every state (archive)",
                    path=str(self.path),
                )
            self.state_pruning = None
            self._counting = False
            return
        self._counting = True

    def _mark_refcounted(self, txn: lmdb.Transaction) -> None:
        txn.put(REFCOUNTED, b"1", db=self._meta)

    def get_node(self, node_hash: bytes) -> bytes | None:
        """Return a node, pending or committed."""
        pending = self._pending.get(node_hash)
        if pending is not None:
            return pending[0]
        return self._get(self._nodes, node_hash)

    def put(self, node_hash: bytes, encoded: bytes) -> None:
        """Buffer one more occurrence of a node."""
        previous = self._pending.get(node_hash)
        self._pending[node_hash] = (encoded, 1 if previous is None else previous[1] + 1)

    def commit_block(
        self, block: StoredBlock, *, finalized: bool, removed: list[bytes] | None = None
    ) -> None:
        """Write nodes, block, changes, journal, pruning and head pointers in one transaction.

        Raises:
            StorageError: ``storage.full`` when the map reached ``max_size``.
        """
        self._write(lambda txn: self._write_block(txn, block, finalized, removed or []))
        self._pending.clear()

    def finalize(
        self, block_hash: bytes, justification: bytes, set_change: bytes | None = None
    ) -> None:
        """Store the justification (and set change) and move the finalized pointer at once."""

        def write(txn: lmdb.Transaction) -> None:
            txn.put(block_hash, justification, db=self._justifications)
            txn.put(b"finalized", block_hash, db=self._meta)
            if set_change is not None:
                header = txn.get(block_hash, db=self._headers)
                number = _HEADER.decode(bytes(header)).number if header is not None else 0
                txn.put(_SET_CHANGE_PREFIX + number.to_bytes(4, "big"), set_change, db=self._meta)

        self._write(write)

    def set_changes(self) -> list[bytes]:
        """The recorded set changes in block order (meta keys ``set_change/<number>``)."""
        found: list[bytes] = []
        with self._readers, self._env.begin(db=self._meta) as transaction:
            cursor = transaction.cursor()
            if cursor.set_range(_SET_CHANGE_PREFIX):
                for key, value in cursor:
                    if not bytes(key).startswith(_SET_CHANGE_PREFIX):
                        break
                    found.append(bytes(value))
        return found

    def install_snapshot(
        self, genesis: Header, block: StoredBlock, set_changes: list[tuple[int, bytes]]
    ) -> None:
        """Hold ``genesis``, the set changes and, as the finalized head, ``block``.

        One transaction; the block's state is the oldest kept.
        """

        def write(txn: lmdb.Transaction) -> None:
            txn.put(genesis.hash(), _HEADER.encode(genesis), db=self._headers)
            txn.put((0).to_bytes(4, "big"), genesis.hash(), db=self._numbers)
            for number, change in set_changes:
                txn.put(_SET_CHANGE_PREFIX + number.to_bytes(4, "big"), change, db=self._meta)
            appended = self._append_pending_nodes(txn)
            self._write_block(txn, block, True, [], pending_written=appended)
            txn.put(b"oldest_state", block.header.number.to_bytes(4, "big"), db=self._meta)

        self._write(write)
        self._pending.clear()

    def _append_pending_nodes(self, txn: lmdb.Transaction) -> bool:
        """Write the buffered nodes of a whole state into empty tables, in key order.

        LMDB appends sorted keys to the end of its B-tree instead of searching and splitting
        pages at random (a snapshot's millions of nodes install several times faster). Tables
        that are not empty take the general path in :meth:`_write_block`. Returns whether the
        nodes were written (the buffer is kept either way: a transaction retried after growing
        the map writes them again).
        """
        tables = [self._nodes, self._refs] if self._counting else [self._nodes]
        if any(txn.stat(table)["entries"] for table in tables):
            return False
        ordered = sorted(self._pending.items(), key=itemgetter(0))  # by hash alone: fast
        with txn.cursor(db=self._nodes) as cursor:
            cursor.putmulti([(key, entry[0]) for key, entry in ordered], append=True)
        if self._counting:
            with txn.cursor(db=self._refs) as cursor:
                cursor.putmulti(
                    [(key, entry[1].to_bytes(4, "little")) for key, entry in ordered],
                    append=True,
                )
        return True

    def _write_block(
        self,
        txn: lmdb.Transaction,
        block: StoredBlock,
        finalized: bool,
        removed: list[bytes],
        *,
        pending_written: bool = False,
    ) -> None:
        block_hash = block.header.hash()
        number = block.header.number
        for node_hash, (encoded, count) in () if pending_written else self._pending.items():
            if not self._counting:
                txn.put(node_hash, encoded, db=self._nodes)
                continue
            raw = txn.get(node_hash, db=self._refs)
            refs = 0 if raw is None else int.from_bytes(raw, "little")
            if refs == 0:
                txn.put(node_hash, encoded, db=self._nodes)
            txn.put(node_hash, (refs + count).to_bytes(4, "little"), db=self._refs)
        if self._counting:
            self._journal_and_prune(txn, number, removed)
        txn.put(block_hash, _HEADER.encode(block.header), db=self._headers)
        txn.put(block_hash, _BODY.encode(block.extrinsics), db=self._bodies)
        if block.justification is not None:
            txn.put(block_hash, block.justification, db=self._justifications)
        txn.put(block_hash, _CHANGES.encode(sorted(block.changes.items())), db=self._changes)
        txn.put(number.to_bytes(4, "big"), block_hash, db=self._numbers)
        txn.put(b"best", block_hash, db=self._meta)
        if finalized:
            txn.put(b"finalized", block_hash, db=self._meta)
            if block.set_change is not None:
                key = _SET_CHANGE_PREFIX + number.to_bytes(4, "big")
                txn.put(key, block.set_change, db=self._meta)

    def _journal_and_prune(self, txn: lmdb.Transaction, number: int, removed: list[bytes]) -> None:
        if removed:
            txn.put(number.to_bytes(4, "big"), b"".join(removed), db=self._journal)
        expired = pruned_journal(number, self.state_pruning)
        if expired is None:
            return
        key = expired.to_bytes(4, "big")
        raw = txn.get(key, db=self._journal)
        if raw is not None:
            txn.delete(key, db=self._journal)
        if self.state_pruning is None:
            return
        journal = b"" if raw is None else bytes(raw)
        for offset in range(0, len(journal), 32):
            node_hash = journal[offset : offset + 32]
            count = txn.get(node_hash, db=self._refs)
            left = (0 if count is None else int.from_bytes(count, "little")) - 1
            if left > 0:
                txn.put(node_hash, left.to_bytes(4, "little"), db=self._refs)
            else:
                txn.delete(node_hash, db=self._refs)
                txn.delete(node_hash, db=self._nodes)
        txn.put(b"oldest_state", key, db=self._meta)

    def _write(self, work: Callable[[lmdb.Transaction], None]) -> None:
        """Run ``work`` in one write transaction, growing the map when it is full."""
        while True:
            try:
                with self._env.begin(write=True) as transaction:
                    work(transaction)
                return
            except lmdb.MapFullError:
                self._grow()
            except lmdb.Error as error:
                raise corrupt(self.path, str(error)) from None

    def _grow(self) -> None:
        """Double the map, up to ``max_size``.

        Never while another thread reads: LMDB forbids resizing under open transactions, and
        a node exports snapshots from a thread.

        Raises:
            StorageError: ``storage.full`` when it is already at ``max_size``.
        """
        current = self.map_size()
        if current >= self.max_size:
            raise StorageError(
                StorageErrorCode.FULL,
                f"the chain database {self.path} reached its limit of {self.max_size:,} bytes; "
                "raise --db-max-size (or keep less state with --state-pruning)",
            )
        grown = min(current * 2, self.max_size)
        with self._readers:
            self._env.set_mapsize(grown)
        log.info("database map grown", path=str(self.path), map_size=grown)

    def used_bytes(self) -> int:
        """Bytes of pages in use up to the high-water mark (freed pages are reused first)."""
        info = self._env.info()
        return (int(info["last_pgno"]) + 1) * int(self._env.stat()["psize"])

    def bytes_by_table(self) -> dict[str, int]:
        """Bytes of pages each table occupies (``nodes``, ``refs``, ``journal``: the state)."""
        tables = {
            "nodes": self._nodes,
            "refs": self._refs,
            "journal": self._journal,
            "headers": self._headers,
            "bodies": self._bodies,
            "justifications": self._justifications,
            "changes": self._changes,
            "numbers": self._numbers,
        }
        sizes = {}
        with self._env.begin() as transaction:
            for name, db in tables.items():
                stat = transaction.stat(db)
                pages = stat["leaf_pages"] + stat["branch_pages"] + stat["overflow_pages"]
                sizes[name] = int(pages * stat["psize"])
        return sizes

    def map_size(self) -> int:
        """The current address-space reservation in bytes."""
        return int(self._env.info()["map_size"])

    def node_hashes(self) -> Iterator[bytes]:
        """Every stored trie node's hash (diagnostics and tests)."""
        with self._env.begin(db=self._nodes) as transaction:
            for key in transaction.cursor().iternext(keys=True, values=False):
                yield bytes(key)

    def oldest_state(self) -> int:
        """The lowest block whose state is kept (0 when nothing was pruned)."""
        raw = self._get(self._meta, b"oldest_state")
        return 0 if raw is None else int.from_bytes(raw, "big")

    def _get(self, db: lmdb._Database, key: bytes) -> bytes | None:
        try:
            with self._readers, self._env.begin(db=db) as transaction:
                value = transaction.get(key)
        except lmdb.Error as error:
            raise corrupt(self.path, str(error)) from None
        return None if value is None else bytes(value)

    def header(self, block_hash: bytes) -> Header | None:
        """Return a header."""
        raw = self._get(self._headers, block_hash)
        return None if raw is None else _HEADER.decode(raw)

    def body(self, block_hash: bytes) -> list[bytes] | None:
        """Return a body."""
        raw = self._get(self._bodies, block_hash)
        return None if raw is None else _BODY.decode(raw)

    def justification(self, block_hash: bytes) -> bytes | None:
        """Return a justification."""
        return self._get(self._justifications, block_hash)

    def changes(self, block_hash: bytes) -> dict[bytes, bytes | None] | None:
        """Return a block's changes."""
        raw = self._get(self._changes, block_hash)
        return None if raw is None else dict(_CHANGES.decode(raw))

    def hash_at(self, number: int) -> bytes | None:
        """Return the canonical hash at a height."""
        return self._get(self._numbers, number.to_bytes(4, "big"))

    def best_hash(self) -> bytes | None:
        """Return the head."""
        return self._get(self._meta, b"best")

    def finalized_hash(self) -> bytes | None:
        """Return the finalized head."""
        return self._get(self._meta, b"finalized")

    def node_count(self) -> int:
        """Return how many trie nodes are stored (for diagnostics)."""
        with self._env.begin(db=self._nodes) as transaction:
            count: int = transaction.stat(self._nodes)["entries"]
        return count

    def iter_numbers(self) -> Iterator[tuple[int, bytes]]:
        """Yield the canonical chain as ``(number, hash)``."""
        with self._env.begin(db=self._numbers) as transaction:
            for key, value in transaction.cursor():
                yield int.from_bytes(key, "big"), bytes(value)

    def close(self) -> None:
        """Close the environment."""
        self._env.close()
