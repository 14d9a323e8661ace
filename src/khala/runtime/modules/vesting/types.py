"""Vesting records (FRAME's ``VestingInfo``)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32
from khala.runtime.types import Balance


@dataclass(frozen=True, slots=True)
class VestingInfo:
    """A schedule: ``locked`` from ``starting_block``, ``per_block`` released each block after."""

    locked: Balance
    """PHA locked at the start."""
    per_block: Balance
    """PHA released per block (0 is read as 1, as FRAME does)."""
    starting_block: U32
    """The block vesting starts at."""
