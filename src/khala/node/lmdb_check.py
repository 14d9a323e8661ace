"""Checking an LMDB data file before opening it (a damaged file must not crash the node).

LMDB maps its file into memory and trusts it: an empty file silently becomes a new database,
and a truncated one makes LMDB read past the end of the map (SIGBUS, a dead process with no
message). :func:`check_lmdb_file` reads the two meta pages first and refuses such files with a
typed ``storage.corrupt`` error naming the file.
"""

from __future__ import annotations

import struct
from pathlib import Path

from khala.node.storage import corrupt

DATA_FILE = "data.mdb"
"""LMDB's data file inside the store's directory."""
_META_MAGIC = 0xBEEFC0DE
"""LMDB's meta page magic number."""
_META = struct.Struct("<I I Q Q I")
"""Start of an LMDB meta (after the 16-byte page header): magic, version, address, map size,
then the free database's ``md_pad``, which holds the page size."""
_LAST_PAGE = struct.Struct("<Q Q")
"""``mm_last_pg`` and ``mm_txnid``, at byte 136 of a meta page on 64-bit builds."""


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
