"""Preimage records."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32
from khala.runtime.types import AccountId, Balance


@dataclass(frozen=True, slots=True)
class PreimageStatus:
    """Who noted a preimage, what they deposited and its length."""

    depositor: AccountId
    """The account that noted it (and gets the deposit back)."""
    deposit: Balance
    """Reserved from the depositor."""
    len: U32
    """The preimage's length in bytes."""
