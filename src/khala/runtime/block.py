"""Blocks: a header and the extrinsics, each kept as its full encoding."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from khala.errors import KhalaError
from khala.primitives.scale import (
    BYTES,
    COMPACT_U32,
    Codec,
    ScaleError,
    ScaleErrorCode,
    decode_compact,
)
from khala.primitives.scale.base import TypeDef, TypeIdAllocator
from khala.primitives.trie import Layout, trie_root
from khala.primitives.types import Header


class OpaqueExtrinsicCodec(Codec[bytes]):
    """An extrinsic kept as its full encoding (length prefix included), as a block body holds it."""

    name = "OpaqueExtrinsic"

    def encode_to(self, value: bytes, out: bytearray) -> None:
        """Append the extrinsic's own encoding unchanged."""
        out += value

    def decode_at(self, data: bytes, offset: int) -> tuple[bytes, int]:
        """Read one length-prefixed extrinsic, returning it with its prefix."""
        length, start = decode_compact(data, offset)
        end = start + length
        if end > len(data):
            raise ScaleError(
                ScaleErrorCode.UNEXPECTED_END, "extrinsic runs past the block body", offset=offset
            )
        return bytes(data[offset:end]), end

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a composite holding the bytes (the metadata names it UncheckedExtrinsic)."""
        return {"composite": {"fields": [{"type": registry.id_of(BYTES), "docs": []}]}}


OpaqueExtrinsic = Annotated[bytes, OpaqueExtrinsicCodec()]
"""An encoded extrinsic with its length prefix."""


@dataclass(frozen=True, slots=True)
class Block:
    """A block (``sp_runtime::generic::Block``)."""

    header: Header
    """The header."""
    extrinsics: list[OpaqueExtrinsic]
    """The extrinsics in order, each in its full encoding."""


def extrinsics_root(extrinsics: list[bytes]) -> bytes:
    """Return the trie root of the extrinsics keyed by their compact index (layout V1)."""
    return trie_root(
        ((COMPACT_U32.encode(index), raw) for index, raw in enumerate(extrinsics)), Layout.V1
    )


class BlockErrorCode(StrEnum):
    """Why a block cannot be imported or built."""

    INVALID_EXTRINSIC = "block.invalid_extrinsic"
    """An extrinsic in the block is invalid (see the message for the transaction error)."""
    BAD_INHERENT = "block.bad_inherent"
    """An inherent failed or is missing (e.g. no timestamp)."""
    BAD_AUTHORSHIP = "block.bad_authorship"
    """The slot digest is missing or does not increase."""
    EXTRINSICS_ROOT_MISMATCH = "block.extrinsics_root_mismatch"
    """The header's extrinsics root does not match the body."""
    STATE_ROOT_MISMATCH = "block.state_root_mismatch"
    """Executing the block gave another state root than the header claims."""
    UNKNOWN_PARENT = "block.unknown_parent"
    """The parent block is not known (or is not the importer's head)."""
    BAD_SEAL = "block.bad_seal"
    """The header carries no seal, or the seal is not the slot author's signature over it."""


class BlockError(KhalaError):
    """A block is invalid."""
