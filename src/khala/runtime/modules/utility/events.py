"""Utility events (FRAME's variant indices)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32, ScaleEnum, variant
from khala.runtime.types import DispatchErrorRecord


class Event(ScaleEnum):
    """A utility event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class BatchInterrupted(Event):
    """A ``batch`` stopped at call ``index`` (the calls before it stay done)."""

    index: U32
    """The failing call's position."""
    error: DispatchErrorRecord
    """Why it failed."""


@variant(1)
@dataclass(frozen=True, slots=True)
class BatchCompleted(Event):
    """Every call of the batch succeeded."""


@variant(2)
@dataclass(frozen=True, slots=True)
class BatchCompletedWithErrors(Event):
    """A ``force_batch`` ran every call; some failed."""


@variant(3)
@dataclass(frozen=True, slots=True)
class ItemCompleted(Event):
    """One call of a batch succeeded."""


@variant(4)
@dataclass(frozen=True, slots=True)
class ItemFailed(Event):
    """One call of a ``force_batch`` failed (rolled back alone)."""

    error: DispatchErrorRecord
    """Why."""
