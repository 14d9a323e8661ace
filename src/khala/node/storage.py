"""Chain storage: blocks, justifications, the canonical chain and trie nodes.

:class:`ChainStore` is the interface; :class:`MemoryChainStore` keeps everything in dicts (for
tests) and :class:`LmdbChainStore` in LMDB. Writes go through :meth:`ChainStore.commit_block`,
which stores a block, its justification, its new trie nodes and storage changes, and moves the
head pointers in **one** transaction: a crash (even ``kill -9``) leaves either the whole block
or none of it. Trie nodes written by ``Trie.commit`` are buffered until that commit.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import lmdb

from khala.errors import KhalaError
from khala.primitives.scale import Codec, codec_of
from khala.primitives.types import Header
from khala.runtime.block import OpaqueExtrinsic

MAP_SIZE = 1 << 36
"""LMDB's address-space reservation (64 GiB); the file grows only as data is written."""
DATA_FILE = "data.mdb"
"""LMDB's data file inside the store's directory."""
_META_MAGIC = 0xBEEFC0DE
"""LMDB's meta page magic number."""
_META = struct.Struct("<I I Q Q I")
"""Start of an LMDB meta (after the 16-byte page header): magic, version, address, map size,
then the free database's ``md_pad``, which holds the page size."""
_LAST_PAGE = struct.Struct("<Q Q")
"""``mm_last_pg`` and ``mm_txnid``, at byte 136 of a meta page on 64-bit builds."""


class StorageErrorCode(StrEnum):
    """Codes of :class:`StorageError`."""

    CORRUPT = "storage.corrupt"
    """The chain database is damaged (truncated, empty or unreadable); the message names the
    file: restore it from a backup, or start a new chain with ``--fresh``."""


class StorageError(KhalaError):
    """The chain database cannot be used."""


def corrupt(path: Path | str, why: str) -> StorageError:
    """The error for a damaged database file, saying what to do."""
    return StorageError(
        StorageErrorCode.CORRUPT,
        f"{path} is damaged ({why}); restore it from a backup, or start a new chain with --fresh",
    )


def check_lmdb_file(directory: Path) -> None:
    """Refuse an LMDB data file that would crash or mislead the node before opening it.

    A zero-length file would silently become a new chain; a truncated one makes LMDB read past
    the end of its memory map (SIGBUS). Both meta pages are read: the newer one says how many
    pages the file must hold.

    Raises:
        StorageError: ``storage.corrupt`` naming the file.
    """
    path = directory / DATA_FILE
    if not path.exists():
        return
    size = path.stat().st_size
    if size == 0:
        raise corrupt(path, "the file is empty")
    with path.open("rb") as handle:
        first = handle.read(4096)
        if len(first) < 16 + _META.size:
            raise corrupt(path, "shorter than its first meta page")
        magic, _, _, _, page_size = _META.unpack_from(first, 16)
        if magic != _META_MAGIC or page_size < 512:
            raise corrupt(path, "no LMDB meta page")
        handle.seek(0)
        pages = handle.read(2 * page_size)
    if len(pages) < 2 * page_size:
        raise corrupt(path, "shorter than its two meta pages")
    metas = [_LAST_PAGE.unpack_from(pages, offset + 136) for offset in (0, page_size)]
    last_page, _ = max(metas, key=lambda meta: meta[1])
    needed = (last_page + 1) * page_size
    if size < needed:
        raise corrupt(path, f"truncated: {size} bytes, its pages need {needed}")


_BODY: Codec[list[bytes]] = codec_of(list[OpaqueExtrinsic])
_HEADER: Codec[Header] = codec_of(Header)
_CHANGES: Codec[list[tuple[bytes, bytes | None]]] = codec_of(list[tuple[bytes, bytes | None]])


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


class ChainStore(Protocol):
    """Persistent chain data."""

    def get_node(self, node_hash: bytes) -> bytes | None:
        """Return a trie node (``NodeStore.get``)."""
        ...

    def put(self, node_hash: bytes, encoded: bytes) -> None:
        """Buffer a trie node until the next block commit (``NodeStore.put``)."""
        ...

    def commit_block(self, block: StoredBlock, *, finalized: bool) -> None:
        """Atomically store a block with its buffered nodes and make it the head."""
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
    """A :class:`ChainStore` in memory."""

    def __init__(self) -> None:
        """Create an empty store."""
        self._nodes: dict[bytes, bytes] = {}
        self._pending: dict[bytes, bytes] = {}
        self._blocks: dict[bytes, StoredBlock] = {}
        self._numbers: dict[int, bytes] = {}
        self._best: bytes | None = None
        self._finalized: bytes | None = None

    def get_node(self, node_hash: bytes) -> bytes | None:
        """Return a node, pending or committed."""
        return self._pending.get(node_hash) or self._nodes.get(node_hash)

    def put(self, node_hash: bytes, encoded: bytes) -> None:
        """Buffer a node."""
        self._pending[node_hash] = encoded

    def commit_block(self, block: StoredBlock, *, finalized: bool) -> None:
        """Store the block and move the head."""
        block_hash = block.header.hash()
        self._nodes.update(self._pending)
        self._pending.clear()
        self._blocks[block_hash] = block
        self._numbers[block.header.number] = block_hash
        self._best = block_hash
        if finalized:
            self._finalized = block_hash

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


class LmdbChainStore:
    """A :class:`ChainStore` in an LMDB environment under ``path``."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the database.

        Raises:
            StorageError: ``storage.corrupt`` when an existing data file is damaged.
        """
        path.mkdir(parents=True, exist_ok=True)
        check_lmdb_file(path)
        self.path = path / DATA_FILE
        try:
            self._env = lmdb.open(str(path), map_size=MAP_SIZE, max_dbs=8, sync=True, metasync=True)
            self._nodes = self._env.open_db(b"nodes")
            self._headers = self._env.open_db(b"headers")
            self._bodies = self._env.open_db(b"bodies")
            self._justifications = self._env.open_db(b"justifications")
            self._changes = self._env.open_db(b"changes")
            self._numbers = self._env.open_db(b"numbers")
            self._meta = self._env.open_db(b"meta")
        except lmdb.Error as error:
            raise corrupt(self.path, str(error)) from None
        self._pending: dict[bytes, bytes] = {}

    def get_node(self, node_hash: bytes) -> bytes | None:
        """Return a node, pending or committed."""
        pending = self._pending.get(node_hash)
        if pending is not None:
            return pending
        try:
            with self._env.begin(db=self._nodes) as transaction:
                value = transaction.get(node_hash)
        except lmdb.Error as error:
            raise corrupt(self.path, str(error)) from None
        return None if value is None else bytes(value)

    def put(self, node_hash: bytes, encoded: bytes) -> None:
        """Buffer a node."""
        self._pending[node_hash] = encoded

    def commit_block(self, block: StoredBlock, *, finalized: bool) -> None:
        """Write nodes, block, justification, changes and head pointers in one transaction."""
        block_hash = block.header.hash()
        number_key = block.header.number.to_bytes(4, "big")
        with self._env.begin(write=True) as transaction:
            for node_hash, encoded in self._pending.items():
                transaction.put(node_hash, encoded, db=self._nodes)
            transaction.put(block_hash, _HEADER.encode(block.header), db=self._headers)
            transaction.put(block_hash, _BODY.encode(block.extrinsics), db=self._bodies)
            if block.justification is not None:
                transaction.put(block_hash, block.justification, db=self._justifications)
            transaction.put(
                block_hash, _CHANGES.encode(sorted(block.changes.items())), db=self._changes
            )
            transaction.put(number_key, block_hash, db=self._numbers)
            transaction.put(b"best", block_hash, db=self._meta)
            if finalized:
                transaction.put(b"finalized", block_hash, db=self._meta)
        self._pending.clear()

    def _get(self, db: lmdb._Database, key: bytes) -> bytes | None:
        try:
            with self._env.begin(db=db) as transaction:
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
