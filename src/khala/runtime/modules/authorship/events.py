"""Authorship's events: an authority set change scheduled, and taking effect."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32, U64, ScaleEnum, variant
from khala.runtime.modules.authorship.state import Authority


class Event(ScaleEnum):
    """An Authorship event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class ChangeScheduled(Event):
    """Governance scheduled a new authority set."""

    at: U32
    """The block whose start enacts it; every block after it is authored and finalized by
    the new set."""
    set_id: U64
    """The id the new set will carry (justifications name it)."""
    authorities: list[Authority]
    """The new set."""


@variant(1)
@dataclass(frozen=True, slots=True)
class SetChanged(Event):
    """The new authority set took effect at this block: the next block is its first."""

    set_id: U64
    """Its id."""
