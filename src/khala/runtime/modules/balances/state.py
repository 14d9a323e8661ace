"""Balances' storage."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Annotated

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import Length
from khala.runtime.modules.balances.constants import MODULE_NAME
from khala.runtime.storage import StorageMap, StorageValue
from khala.runtime.types import AccountId, Balance

LockId = Annotated[bytes, Length(8)]
"""An 8-byte lock identifier, one per locking module (e.g. ``b"vesting "``)."""


class Reasons(IntEnum):
    """What a lock blocks (FRAME's ``Reasons``)."""

    FEE = 0
    """Only fee payment."""
    MISC = 1
    """Everything but fees."""
    ALL = 2
    """Everything."""


@dataclass(frozen=True, slots=True)
class BalanceLock:
    """A lock keeping part of the free balance from being spent."""

    id: LockId
    """Which module holds the lock."""
    amount: Balance
    """How much it locks."""
    reasons: Reasons
    """What it blocks."""


TOTAL_ISSUANCE: StorageValue[int] = StorageValue(MODULE_NAME, "TotalIssuance", Balance, 0)
"""Balances.TotalIssuance: all PHA in existence."""
LOCKS: StorageMap[bytes, list[BalanceLock]] = StorageMap(
    MODULE_NAME, "Locks", StorageHasher.BLAKE2_128_CONCAT, AccountId, list[BalanceLock], []
)
"""Balances.Locks: account -> its locks; the account's ``frozen`` is the largest."""
