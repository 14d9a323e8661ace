"""Council records (FRAME collective's ``Votes``)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32
from khala.runtime.types import AccountId


@dataclass(frozen=True, slots=True)
class Votes:
    """An open motion's tally."""

    index: U32
    """The motion's number (proposals are numbered from 0)."""
    threshold: U32
    """Ayes needed to carry it."""
    ayes: list[AccountId]
    """Members voting for."""
    nays: list[AccountId]
    """Members voting against."""
    end: U32
    """The block from which it may be closed regardless of the tally."""
