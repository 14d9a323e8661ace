"""State snapshots: a finalized state with its header and justification, for fast sync.

File layout (all integers little-endian)::

    "KHALA-SNAPSHOT" 0x02                       magic and format version
    u32 n, SCALE(SnapshotHead)                  genesis header and authority proof, the
                                                authority-set changes since genesis, block,
                                                justification
    (u32 key_len, key, u32 value_len, value)*   the block's state, keys ascending
    32 bytes                                    blake2-256 of everything before it

Importing trusts nothing in the file: the genesis header must hash to the genesis the
importer expects, a read proof against its state root gives the genesis authority set (a few
hundred bytes, whatever the genesis's size), each authority-set change since genesis must be
finalized by the set before it and prove the next (:mod:`khala.snapshot.set_changes`), and
the block's justification must carry more than 2/3 of the signatures of the set so reached;
the items must rebuild the block's state root; the checksum must match. Only then is the
state written, as the node's only state, at the snapshot's block. Version 1 files (without
set changes) are still read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from khala.errors import KhalaError
from khala.primitives.finality import FinalityError
from khala.primitives.scale import U64, ScaleError, codec_of
from khala.primitives.trie import (
    Layout,
    NodeStore,
    Trie,
    TrieError,
    build_root,
)
from khala.primitives.types import Header
from khala.snapshot.set_changes import (
    SetChange,
    SetProofError,
    check_justification,
    follow_set_changes,
    proven_set,
    set_proof,
)

MAGIC_PREFIX = b"KHALA-SNAPSHOT"
"""The file's first bytes, followed by one version byte."""
VERSION = 2
"""The format written: version 2 added the authority-set changes to the head."""
MAGIC = MAGIC_PREFIX + bytes([VERSION])
"""The first bytes of a file this version writes."""
READABLE_VERSIONS = (1, 2)
"""Versions the reader accepts (version 1 heads carry no set changes)."""
PROGRESS_EVERY = 100_000
"""Items between progress reports on long exports and imports."""


class SnapshotErrorCode(StrEnum):
    """Codes of :class:`SnapshotError`."""

    UNREADABLE = "snapshot.unreadable"
    """The file cannot be opened (missing, a directory, no permission)."""
    NOT_A_SNAPSHOT = "snapshot.not_a_snapshot"
    """The file does not start with the snapshot magic (or another format version)."""
    CORRUPT = "snapshot.corrupt"
    """The file is truncated, malformed or fails its checksum."""
    FOREIGN = "snapshot.foreign"
    """The snapshot belongs to another chain (another genesis)."""
    BAD_JUSTIFICATION = "snapshot.bad_justification"
    """The block's justification is not signed by the authority set in force (the genesis set
    followed through the snapshot's set changes)."""
    BAD_SET_CHANGE = "snapshot.bad_set_change"
    """An authority-set change the snapshot carries does not verify (not finalized by the set
    before it, a failing proof of the new set, or out of order)."""
    STATE_ROOT_MISMATCH = "snapshot.state_root_mismatch"
    """The items do not rebuild the block's state root."""
    NOT_EMPTY = "snapshot.not_empty"
    """The base path already holds a chain; import into an empty one."""
    DOWNLOAD_FAILED = "snapshot.download_failed"
    """No peer served a whole snapshot (unreachable, an HTTP error, a cut transfer)."""
    GATEKEEPER = "snapshot.gatekeeper"
    """A gatekeeper cannot start from a snapshot: its economics need every block since
    genesis."""


class SnapshotError(KhalaError):
    """A snapshot cannot be written or imported."""


@dataclass(frozen=True, slots=True)
class SnapshotHead:
    """What precedes a snapshot's items."""

    genesis: Header
    """The chain's genesis header (its hash names the chain)."""
    genesis_proof: list[bytes]
    """Trie nodes proving the genesis authority set and set id against the genesis root."""
    set_changes: list[SetChange]
    """Every authority-set change enacted below the snapshot's block, in block order."""
    header: Header
    """The snapshot's block."""
    justification: bytes
    """Its finality justification (SCALE ``Justification``)."""
    item_count: U64
    """How many state items follow."""


@dataclass(frozen=True, slots=True)
class SnapshotHeadV1:
    """A version 1 head: :class:`SnapshotHead` without set changes."""

    genesis: Header
    """The chain's genesis header."""
    genesis_proof: list[bytes]
    """Trie nodes proving the genesis authority set."""
    header: Header
    """The snapshot's block."""
    justification: bytes
    """Its justification."""
    item_count: U64
    """How many state items follow."""


_HEAD = codec_of(SnapshotHead)
_HEAD_V1 = codec_of(SnapshotHeadV1)


def genesis_proof(genesis_state: Trie) -> list[bytes]:
    """The read proof of the authority set and set id in the genesis state."""
    return set_proof(genesis_state)


def write_snapshot(
    out: BinaryIO,
    head: SnapshotHead,
    items: Iterator[tuple[bytes, bytes]],
    on_progress: Callable[[int], None] = lambda _: None,
) -> int:
    """Write a snapshot; returns the bytes written. ``items`` must be in key order."""
    digest = hashlib.blake2b(digest_size=32)
    written = 0

    def emit(data: bytes) -> None:
        nonlocal written
        out.write(data)
        digest.update(data)
        written += len(data)

    encoded = _HEAD.encode(head)
    emit(MAGIC + len(encoded).to_bytes(4, "little") + encoded)
    count = 0
    for key, value in items:
        emit(len(key).to_bytes(4, "little") + key + len(value).to_bytes(4, "little") + value)
        count += 1
        if count % PROGRESS_EVERY == 0:
            on_progress(count)
    if count != head.item_count:
        raise SnapshotError(
            SnapshotErrorCode.CORRUPT, f"wrote {count} items, the head announced {head.item_count}"
        )
    out.write(digest.digest())
    return written + 32


COUNT_BYTES = 8
"""``item_count`` is the head's last field, a fixed-width u64: a writer that learns the count
only after the items (one walk of the state) patches these bytes in place."""
CHECKSUM_CHUNK = 1 << 20
"""Bytes read at a time when the checksum is computed over a finished file."""


def write_snapshot_file(
    path: Path,
    head: SnapshotHead,
    items: Iterator[tuple[bytes, bytes]],
    on_progress: Callable[[int], None] = lambda _: None,
) -> tuple[int, int]:
    """Write a snapshot in one walk of ``items``; returns (items, bytes).

    The head goes first with a zero count, the items follow, the count is patched in, and
    the checksum is computed over the finished bytes (reading a file is far cheaper than
    walking a large state twice).
    """
    encoded = _HEAD.encode(replace(head, item_count=0))
    count = 0
    with path.open("w+b") as out:
        out.write(MAGIC + len(encoded).to_bytes(4, "little") + encoded)
        for key, value in items:
            out.write(len(key).to_bytes(4, "little") + key + len(value).to_bytes(4, "little"))
            out.write(value)
            count += 1
            if count % PROGRESS_EVERY == 0:
                on_progress(count)
        out.seek(len(MAGIC) + 4 + len(encoded) - COUNT_BYTES)
        out.write(count.to_bytes(COUNT_BYTES, "little"))
        out.seek(0)
        digest = hashlib.blake2b(digest_size=32)
        while chunk := out.read(CHECKSUM_CHUNK):
            digest.update(chunk)
        out.write(digest.digest())
        size = out.tell()
    return count, size


class SnapshotReader:
    """Reads a snapshot file, checking its structure and checksum as it goes."""

    def __init__(self, path: Path) -> None:
        """Open ``path`` and read its head.

        Raises:
            SnapshotError: ``snapshot.unreadable``, ``snapshot.not_a_snapshot`` or
                ``snapshot.corrupt``.
        """
        self.path = path
        try:
            self._file = path.open("rb")
        except OSError as error:
            raise SnapshotError(
                SnapshotErrorCode.UNREADABLE, f"cannot read {path}: {error.strerror}"
            ) from None
        self._digest = hashlib.blake2b(digest_size=32)
        magic = self._file.read(len(MAGIC))
        self._digest.update(magic)
        version = magic[-1] if len(magic) == len(MAGIC) else 0
        if magic[:-1] != MAGIC_PREFIX or version not in READABLE_VERSIONS:
            self._file.close()
            raise SnapshotError(
                SnapshotErrorCode.NOT_A_SNAPSHOT,
                f"{path} is not a khala snapshot of a version this release reads "
                f"({', '.join(map(str, READABLE_VERSIONS))})",
            )
        try:
            size = int.from_bytes(self._read(4), "little")
            raw = self._read(size)
            if version == 1:
                old = _HEAD_V1.decode(raw)
                self.head = SnapshotHead(
                    old.genesis,
                    old.genesis_proof,
                    [],
                    old.header,
                    old.justification,
                    old.item_count,
                )
            else:
                self.head = _HEAD.decode(raw)
        except (ScaleError, SnapshotError) as error:
            self._file.close()
            raise SnapshotError(
                SnapshotErrorCode.CORRUPT, f"{path}: malformed head ({error.message})"
            ) from None

    def _read(self, size: int) -> bytes:
        data = self._file.read(size)
        if len(data) != size:
            raise SnapshotError(SnapshotErrorCode.CORRUPT, f"{self.path} is truncated")
        self._digest.update(data)
        return data

    def items(
        self, on_progress: Callable[[int], None] = lambda _: None
    ) -> Iterator[tuple[bytes, bytes]]:
        """Yield the state items, then check the checksum.

        Raises:
            SnapshotError: ``snapshot.corrupt`` when truncated, unordered or the checksum fails.
        """
        previous: bytes | None = None
        for count in range(1, self.head.item_count + 1):
            key = self._read(int.from_bytes(self._read(4), "little"))
            value = self._read(int.from_bytes(self._read(4), "little"))
            if previous is not None and key <= previous:
                raise SnapshotError(
                    SnapshotErrorCode.CORRUPT, f"{self.path}: items out of order at #{count}"
                )
            previous = key
            if count % PROGRESS_EVERY == 0:
                on_progress(count)
            yield key, value
        expected = self._digest.digest()
        if self._file.read(32) != expected or self._file.read(1):
            raise SnapshotError(SnapshotErrorCode.CORRUPT, f"{self.path} fails its checksum")

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def verify_head(head: SnapshotHead, genesis_hash: bytes) -> None:
    """Check the snapshot's chain, its set changes and the block's justification.

    Raises:
        SnapshotError: ``snapshot.foreign``, ``snapshot.bad_set_change`` or
            ``snapshot.bad_justification``.
    """
    if head.genesis.hash() != genesis_hash:
        raise SnapshotError(
            SnapshotErrorCode.FOREIGN,
            f"the snapshot is of chain 0x{head.genesis.hash().hex()}, not 0x{genesis_hash.hex()} "
            "(a dev chain's genesis includes its dev PKI: pass the exporting node's --dev-pki)",
        )
    try:
        genesis_set = proven_set(head.genesis.state_root, head.genesis_proof)
    except (TrieError, ScaleError) as error:
        raise SnapshotError(
            SnapshotErrorCode.FOREIGN,
            f"the snapshot's proof of the genesis authority set does not check out: "
            f"{error.message}",
        ) from None
    try:
        signers = follow_set_changes(genesis_set, head.set_changes, head.header.number)
    except SetProofError as error:
        raise SnapshotError(SnapshotErrorCode.BAD_SET_CHANGE, error.message) from None
    try:
        check_justification(head.header, head.justification, signers)
    except (ScaleError, FinalityError) as error:
        raise SnapshotError(
            SnapshotErrorCode.BAD_JUSTIFICATION,
            f"block #{head.header.number}'s justification does not verify against authority "
            f"set {signers.set_id} (the genesis set after {len(head.set_changes)} set changes; "
            f"a snapshot from a node that recorded every change would carry them): "
            f"{error.message}",
        ) from None


def load_verified_state(
    path: Path,
    genesis_hash: bytes,
    store: NodeStore,
    on_progress: Callable[[str], None] = lambda _: None,
) -> tuple[SnapshotHead, Trie]:
    """Read and verify a snapshot into ``store``: its head and its block's state trie.

    Raises:
        SnapshotError: Naming the check that failed; nothing is committed to ``store`` then.
    """
    reader = SnapshotReader(path)
    try:
        head = reader.head
        verify_head(head, genesis_hash)
        on_progress(f"verified block #{head.header.number}'s justification; rebuilding its state")
        items = reader.items(
            lambda done: on_progress(f"read {done:,} of {head.item_count:,} items")
        )
        root = build_root(items, Layout.V1, store, presorted=True)
    finally:
        reader.close()
    if root != head.header.state_root:
        raise SnapshotError(
            SnapshotErrorCode.STATE_ROOT_MISMATCH,
            f"the items give state root 0x{root.hex()}, block "
            f"#{head.header.number} says 0x{head.header.state_root.hex()}",
        )
    return head, Trie(store, Layout.V1, root)
