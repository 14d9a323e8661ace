"""Stake pool storage."""

from __future__ import annotations

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import H256, U64
from khala.runtime.modules.stake_pool.constants import MODULE_NAME
from khala.runtime.modules.stake_pool.types import PoolInfo
from khala.runtime.storage import StorageDoubleMap, StorageMap, StorageValue
from khala.runtime.types import AccountId, Balance

POOL_COUNT: StorageValue[int] = StorageValue(MODULE_NAME, "PoolCount", U64, 0)
"""StakePool.PoolCount: pools created (the next pool id)."""
POOLS: StorageMap[int, PoolInfo | None] = StorageMap(
    MODULE_NAME, "Pools", StorageHasher.TWOX64_CONCAT, U64, PoolInfo | None, None
)
"""StakePool.Pools: pool id -> the pool."""
STAKES: StorageDoubleMap[int, bytes, int] = StorageDoubleMap(
    MODULE_NAME,
    "Stakes",
    (StorageHasher.TWOX64_CONCAT, U64),
    (StorageHasher.BLAKE2_128_CONCAT, AccountId),
    Balance,
    0,
)
"""StakePool.Stakes: (pool id, delegator) -> shares held (queued shares are not included)."""
WORKER_ASSIGNMENTS: StorageMap[bytes, int | None] = StorageMap(
    MODULE_NAME, "WorkerAssignments", StorageHasher.TWOX64_CONCAT, H256, U64 | None, None
)
"""StakePool.WorkerAssignments: worker -> the pool it was added to."""
LOCK_ACCOUNTS: StorageMap[bytes, int | None] = StorageMap(
    MODULE_NAME, "LockAccounts", StorageHasher.BLAKE2_128_CONCAT, AccountId, U64 | None, None
)
"""StakePool.LockAccounts: lock account -> its pool (to recognise pool-owned sessions)."""
WHITELISTS: StorageMap[int, list[bytes]] = StorageMap(
    MODULE_NAME, "Whitelists", StorageHasher.TWOX64_CONCAT, U64, list[AccountId], []
)
"""StakePool.Whitelists: pool id -> who may contribute (empty: anyone)."""
DESCRIPTIONS: StorageMap[int, bytes] = StorageMap(
    MODULE_NAME, "Descriptions", StorageHasher.TWOX64_CONCAT, U64, bytes, b""
)
"""StakePool.Descriptions: pool id -> the owner's description (UTF-8)."""
