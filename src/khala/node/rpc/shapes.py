"""Substrate's JSON shapes for headers, blocks and runtime info."""

from __future__ import annotations

from typing import Any

from khala.primitives.scale import codec_of
from khala.primitives.types import DigestItem, Header

_DIGEST_ITEM = codec_of(DigestItem)


def hex0x(raw: bytes) -> str:
    """Return ``0x``-prefixed lowercase hex."""
    return "0x" + raw.hex()


def header_json(header: Header) -> dict[str, Any]:
    """Return a header as ``chain_getHeader`` returns it."""
    return {
        "parentHash": hex0x(header.parent_hash),
        "number": hex(header.number),
        "stateRoot": hex0x(header.state_root),
        "extrinsicsRoot": hex0x(header.extrinsics_root),
        "digest": {"logs": [hex0x(_DIGEST_ITEM.encode(item)) for item in header.digest]},
    }


def block_json(
    header: Header, extrinsics: list[bytes], justification: bytes | None
) -> dict[str, Any]:
    """Return a signed block as ``chain_getBlock`` returns it."""
    justifications = None if justification is None else [[hex0x(b"FRNK"), hex0x(justification)]]
    return {
        "block": {"header": header_json(header), "extrinsics": [hex0x(raw) for raw in extrinsics]},
        "justifications": justifications,
    }
