"""Treasury events (FRAME's variant indices)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32, ScaleEnum, variant
from khala.runtime.types import AccountId, Balance


class Event(ScaleEnum):
    """A treasury event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Proposed(Event):
    """A spend was proposed."""

    proposal_index: U32
    """Its index."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Spending(Event):
    """A spend period began paying approvals."""

    budget_remaining: Balance
    """Funds available (the treasury's balance above the existential deposit)."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Awarded(Event):
    """An approved proposal was paid."""

    proposal_index: U32
    """Its index."""
    award: Balance
    """What was paid."""
    account: AccountId
    """To whom."""


@variant(3)
@dataclass(frozen=True, slots=True)
class Rejected(Event):
    """A proposal was rejected; its bond was slashed into the treasury."""

    proposal_index: U32
    """Its index."""
    slashed: Balance
    """The bond."""


@variant(4)
@dataclass(frozen=True, slots=True)
class Burnt(Event):
    """Part of the unspent funds was burned."""

    burnt_funds: Balance
    """How much."""


@variant(5)
@dataclass(frozen=True, slots=True)
class Rollover(Event):
    """The spend period ended; this much carries over."""

    rollover_balance: Balance
    """Funds left for the next period."""
