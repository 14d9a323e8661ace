"""Raw chain specs: a Substrate chain's genesis storage as JSON, and the genesis it implies.

A raw spec stores every genesis key/value as hex under ``genesis.raw.top``, and child tries
under ``genesis.raw.childrenDefault``. The genesis state root is the trie root of ``top`` with
each child trie's root inserted at ``:child_storage:default:<child key>``, as Substrate builds
it; the genesis hash is the hash of the header with that root (see :func:`genesis_header`).
This module parses text; reading the file is the caller's job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from khala.errors import KhalaError
from khala.primitives.trie import Layout, trie_root
from khala.primitives.types import genesis_header

CHILD_STORAGE_PREFIX = b":child_storage:default:"
"""Where a default child trie's root is stored in the top trie."""


class ChainSpecErrorCode(StrEnum):
    """Codes of :class:`ChainSpecError`."""

    INVALID_JSON = "chainspec.invalid_json"
    """The file is not JSON."""
    NOT_RAW = "chainspec.not_raw"
    """The spec has no ``genesis.raw`` section (a plain spec: build it with ``--raw``)."""
    INVALID_FIELD = "chainspec.invalid_field"
    """A required field is missing or has the wrong JSON type."""
    INVALID_HEX = "chainspec.invalid_hex"
    """A storage key or value is not ``0x``-prefixed hex."""


class ChainSpecError(KhalaError):
    """A chain spec could not be understood."""


@dataclass(frozen=True, slots=True)
class RawChainSpec:
    """The parts of a raw chain spec that define genesis."""

    name: str
    """The chain's display name."""
    chain_id: str
    """The chain's id string."""
    top: dict[bytes, bytes]
    """Top-trie genesis storage."""
    children: dict[bytes, dict[bytes, bytes]]
    """Default child tries by child key (without the ``:child_storage:default:`` prefix)."""

    def state_root(self, layout: Layout) -> bytes:
        """Return the genesis state root under ``layout``."""
        items = dict(self.top)
        for child_key, child_items in self.children.items():
            items[CHILD_STORAGE_PREFIX + child_key] = trie_root(child_items.items(), layout)
        return trie_root(items.items(), layout)

    def genesis_hash(self, layout: Layout) -> bytes:
        """Return the genesis block hash under ``layout``."""
        return genesis_header(self.state_root(layout)).hash()


def _hex(text: Any, where: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x"):
        raise ChainSpecError(
            ChainSpecErrorCode.INVALID_HEX, f"{where} must be a 0x-prefixed hex string"
        )
    try:
        return bytes.fromhex(text[2:])
    except ValueError as error:
        raise ChainSpecError(ChainSpecErrorCode.INVALID_HEX, f"{where}: {error}") from None


def _storage_map(section: Any, where: str) -> dict[bytes, bytes]:
    if not isinstance(section, dict):
        raise ChainSpecError(ChainSpecErrorCode.INVALID_FIELD, f"{where} must be a JSON object")
    return {
        _hex(key, f"key {key!r} in {where}"): _hex(value, f"value of {key} in {where}")
        for key, value in section.items()
    }


def parse_raw_chain_spec(text: str | bytes) -> RawChainSpec:
    """Parse a raw chain spec's JSON text.

    Raises:
        ChainSpecError: With the code and the location of the first problem.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ChainSpecError(
            ChainSpecErrorCode.INVALID_JSON,
            f"not JSON: {error.msg} at line {error.lineno} column {error.colno} "
            f"(byte offset {error.pos})",
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("genesis"), dict):
        raise ChainSpecError(ChainSpecErrorCode.INVALID_FIELD, "the spec has no 'genesis' object")
    raw = document["genesis"].get("raw")
    if raw is None:
        raise ChainSpecError(
            ChainSpecErrorCode.NOT_RAW,
            "genesis has no 'raw' section; export a raw spec (build-spec --raw) first",
        )
    if not isinstance(raw, dict) or "top" not in raw:
        raise ChainSpecError(ChainSpecErrorCode.INVALID_FIELD, "genesis.raw has no 'top' object")
    children_section = raw.get("childrenDefault", {})
    if not isinstance(children_section, dict):
        raise ChainSpecError(
            ChainSpecErrorCode.INVALID_FIELD, "genesis.raw.childrenDefault must be a JSON object"
        )
    children = {
        _hex(key, f"child key {key!r}"): _storage_map(child, f"genesis.raw.childrenDefault[{key}]")
        for key, child in children_section.items()
    }
    return RawChainSpec(
        name=str(document.get("name", "")),
        chain_id=str(document.get("id", "")),
        top=_storage_map(raw["top"], "genesis.raw.top"),
        children=children,
    )
