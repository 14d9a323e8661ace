"""Vault storage."""

from __future__ import annotations

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import U64
from khala.runtime.modules.vault.constants import MODULE_NAME
from khala.runtime.modules.vault.types import VaultInfo
from khala.runtime.storage import StorageDoubleMap, StorageMap, StorageValue
from khala.runtime.types import AccountId, Balance

VAULT_COUNT: StorageValue[int] = StorageValue(MODULE_NAME, "VaultCount", U64, 0)
"""Vault.VaultCount: vaults created (the next vault id)."""
VAULTS: StorageMap[int, VaultInfo | None] = StorageMap(
    MODULE_NAME, "Vaults", StorageHasher.TWOX64_CONCAT, U64, VaultInfo | None, None
)
"""Vault.Vaults: vault id -> the vault."""
STAKES: StorageDoubleMap[int, bytes, int] = StorageDoubleMap(
    MODULE_NAME,
    "Stakes",
    (StorageHasher.TWOX64_CONCAT, U64),
    (StorageHasher.BLAKE2_128_CONCAT, AccountId),
    Balance,
    0,
)
"""Vault.Stakes: (vault id, delegator) -> vault shares held (queued ones not included)."""
ACCOUNTS: StorageMap[bytes, int | None] = StorageMap(
    MODULE_NAME, "Accounts", StorageHasher.BLAKE2_128_CONCAT, AccountId, U64 | None, None
)
"""Vault.Accounts: vault account -> its vault (to recognise a pool paying a vault)."""
LOCKS: StorageMap[int, bool] = StorageMap(
    MODULE_NAME, "Locks", StorageHasher.TWOX64_CONCAT, U64, bool, False
)
"""Vault.Locks: vaults under a forced withdrawal: the owner may not invest, divest or
override the pool requests until the vault's queue is paid."""
