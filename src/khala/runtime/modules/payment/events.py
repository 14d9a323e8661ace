"""TransactionPayment's events."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import ScaleEnum, variant
from khala.runtime.types import AccountId, Balance


class Event(ScaleEnum):
    """A TransactionPayment event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class TransactionFeePaid(Event):
    """A signed extrinsic paid its fee."""

    who: AccountId
    """The payer."""
    actual_fee: Balance
    """Fee plus tip."""
    tip: Balance
    """The tip part."""
