"""Vesting events (FRAME's)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import ScaleEnum, variant
from khala.runtime.types import AccountId, Balance


class Event(ScaleEnum):
    """A vesting event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class VestingUpdated(Event):
    """The amount still locked changed."""

    account: AccountId
    """Whose schedules."""
    unvested: Balance
    """PHA still locked."""


@variant(1)
@dataclass(frozen=True, slots=True)
class VestingCompleted(Event):
    """Everything has vested: the lock is gone."""

    account: AccountId
    """Whose schedules."""
