"""Vesting storage."""

from __future__ import annotations

from khala.primitives.hashing import StorageHasher
from khala.runtime.modules.vesting.constants import MODULE_NAME
from khala.runtime.modules.vesting.types import VestingInfo
from khala.runtime.storage import StorageMap
from khala.runtime.types import AccountId

VESTING: StorageMap[bytes, list[VestingInfo]] = StorageMap(
    MODULE_NAME, "Vesting", StorageHasher.BLAKE2_128_CONCAT, AccountId, list[VestingInfo], []
)
"""Vesting.Vesting: account -> its schedules."""
