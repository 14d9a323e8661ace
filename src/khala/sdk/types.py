"""Values the SDK returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khala.primitives.types import Header


@dataclass(frozen=True, slots=True)
class BlockInfo:
    """A block as the node reports it."""

    block_hash: bytes
    """The block's hash."""
    header: Header
    """Its header."""
    extrinsics: list[bytes]
    """Its extrinsics (full encodings)."""
    justification: bytes | None
    """The encoded finality justification, when final."""

    @property
    def number(self) -> int:
        """The block's height."""
        return self.header.number


@dataclass(frozen=True, slots=True)
class Receipt:
    """What became of a submitted transaction."""

    tx_hash: bytes
    """blake2-256 of the extrinsic."""
    block_hash: bytes | None
    """The block that included it (None when not waited for)."""
    block_number: int | None
    """That block's height."""
    success: bool | None
    """Whether the call succeeded (None when not waited for); for a sudo call, whether the
    call it carried succeeded."""
    error: str | None
    """The failed call's error code, e.g. ``balances.insufficient_balance``."""
    events: list[Any]
    """The module events the extrinsic emitted."""
    fee: int | None
    """The fee and tip paid."""
