"""Parsing a ``POST /sync`` batch: every shape checked, the work bounded, refusals typed.

A batch is the JSON shape of the node's ``khala_syncBlocks``:
``{"blocks": [{"header": "0x…", "justification": "0x…" | null, "changes": [["0x…", "0x…" |
null], …]}, …]}``. The relayer is untrusted, so a batch is refused before any trie work when it
holds more blocks or storage changes than an honest node ever sends (the node stops a batch
near 8 MiB of changes), and every malformed part is named in the error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from khala.errors import KhalaError
from khala.primitives.scale import ScaleError, codec_of
from khala.primitives.types import Header
from khala.worker.light_client import SyncBlock

MAX_SYNC_REQUEST_BYTES = 24 * 1024 * 1024
"""Largest sync body: an honest batch carries at most ~8 MiB of changes, 16 MiB as hex."""
MAX_SYNC_BLOCKS = 1000
"""Most blocks per batch (the node's ``khala_syncBlocks`` limit)."""
MAX_SYNC_CHANGES = 65_536
"""Most storage changes per batch: bounds the trie work a relayer can make a worker do before
the state root check can refuse junk (200k junk changes once cost 4.8 s of CPU)."""

_HEADER = codec_of(Header)


class SyncRequestErrorCode(StrEnum):
    """Why a sync batch was refused before any block was imported."""

    MALFORMED = "worker.malformed_sync_batch"
    """The body is not the ``khala_syncBlocks`` shape; the message names the bad part."""
    TOO_LARGE = "worker.sync_batch_too_large"
    """More blocks or storage changes than one batch may carry; send smaller batches."""


class SyncRequestError(KhalaError):
    """A sync batch refused as a whole (HTTP 400, or 413 when too large)."""


def _malformed(where: str, what: str) -> SyncRequestError:
    return SyncRequestError(SyncRequestErrorCode.MALFORMED, f"{where}: {what}")


def _hex(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise _malformed(where, "expected a 0x-prefixed hex string")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise _malformed(where, "not valid hex") from None


def parse_sync_request(body: Any) -> list[SyncBlock]:
    """Check and decode a sync batch.

    Raises:
        SyncRequestError: ``worker.malformed_sync_batch`` naming the first bad part, or
            ``worker.sync_batch_too_large`` past :data:`MAX_SYNC_BLOCKS` or
            :data:`MAX_SYNC_CHANGES`.
    """
    if not isinstance(body, dict) or not isinstance(body.get("blocks"), list):
        raise _malformed("body", 'expected {"blocks": [...]}')
    items: list[Any] = body["blocks"]
    if len(items) > MAX_SYNC_BLOCKS:
        raise SyncRequestError(
            SyncRequestErrorCode.TOO_LARGE, f"{len(items)} blocks; send at most {MAX_SYNC_BLOCKS}"
        )
    total = sum(len(item["changes"]) for item in items if _has_change_list(item))
    if total > MAX_SYNC_CHANGES:
        raise SyncRequestError(
            SyncRequestErrorCode.TOO_LARGE,
            f"{total} storage changes; a batch carries at most {MAX_SYNC_CHANGES}",
        )
    return [_block(item, f"blocks[{index}]") for index, item in enumerate(items)]


def _has_change_list(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("changes"), list)


def _block(item: Any, where: str) -> SyncBlock:
    if not _has_change_list(item):
        raise _malformed(where, 'expected {"header", "justification", "changes": [...]}')
    try:
        header = _HEADER.decode(_hex(item.get("header"), f"{where}.header"))
    except ScaleError as error:
        raise _malformed(f"{where}.header", error.message) from None
    raw_justification = item.get("justification")
    justification = (
        None if raw_justification is None else _hex(raw_justification, f"{where}.justification")
    )
    changes: dict[bytes, bytes | None] = {}
    for position, change in enumerate(item["changes"]):
        place = f"{where}.changes[{position}]"
        if not isinstance(change, list) or len(change) != 2:
            raise _malformed(place, "expected [key, value or null]")
        key, value = change
        changes[_hex(key, place)] = None if value is None else _hex(value, place)
    return SyncBlock(header, justification, changes)
