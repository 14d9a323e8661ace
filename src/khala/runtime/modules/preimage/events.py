"""Preimage events (FRAME's)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, ScaleEnum, variant


class Event(ScaleEnum):
    """A preimage event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Noted(Event):
    """A preimage was stored."""

    hash: H256
    """Its blake2-256 hash."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Cleared(Event):
    """A preimage was removed (its deposit returned)."""

    hash: H256
    """Its hash."""
