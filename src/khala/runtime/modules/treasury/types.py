"""Treasury records (FRAME's ``Proposal``)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.runtime.types import AccountId, Balance


@dataclass(frozen=True, slots=True)
class Proposal:
    """A spend proposal."""

    proposer: AccountId
    """Who proposed it (and bonded)."""
    value: Balance
    """What the beneficiary gets."""
    beneficiary: AccountId
    """Who gets it."""
    bond: Balance
    """Reserved from the proposer until paid out (returned) or rejected (slashed)."""
