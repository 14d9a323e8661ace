"""Phat contracts storage."""

from __future__ import annotations

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import H256, U64
from khala.runtime.modules.phat.constants import MODULE_NAME
from khala.runtime.modules.phat.types import ClusterInfo, CodeInfo, ContractInfo, PublicKeys
from khala.runtime.state import State
from khala.runtime.storage import StorageDoubleMap, StorageMap, StorageValue
from khala.runtime.types import Balance

CLUSTER_COUNTER: StorageValue[int] = StorageValue(MODULE_NAME, "ClusterCounter", U64, 0)
"""PhatContracts.ClusterCounter: clusters created so far (ids count from 1)."""
CLUSTERS: StorageMap[bytes, ClusterInfo | None] = StorageMap(
    MODULE_NAME, "Clusters", StorageHasher.TWOX64_CONCAT, H256, ClusterInfo | None, None
)
"""PhatContracts.Clusters: cluster id -> its settings."""
CLUSTER_WORKERS: StorageMap[bytes, list[bytes]] = StorageMap(
    MODULE_NAME, "ClusterWorkers", StorageHasher.TWOX64_CONCAT, H256, list[H256], []
)
"""PhatContracts.ClusterWorkers: cluster id -> its workers' identity keys."""
CLUSTER_BY_WORKERS: StorageMap[bytes, bytes | None] = StorageMap(
    MODULE_NAME, "ClusterByWorkers", StorageHasher.TWOX64_CONCAT, H256, H256 | None, None
)
"""PhatContracts.ClusterByWorkers: worker -> the cluster it serves (one at a time)."""
CLUSTER_KEYS: StorageMap[bytes, PublicKeys | None] = StorageMap(
    MODULE_NAME, "ClusterKeys", StorageHasher.TWOX64_CONCAT, H256, PublicKeys | None, None
)
"""PhatContracts.ClusterKeys: cluster id -> its public keys (from the gatekeepers)."""
CODES: StorageDoubleMap[bytes, bytes, CodeInfo | None] = StorageDoubleMap(
    MODULE_NAME,
    "Codes",
    (StorageHasher.TWOX64_CONCAT, H256),
    (StorageHasher.IDENTITY, H256),
    CodeInfo | None,
    None,
)
"""PhatContracts.Codes: (cluster, code hash) -> who uploaded it and its size."""
CONTRACTS: StorageMap[bytes, ContractInfo | None] = StorageMap(
    MODULE_NAME, "Contracts", StorageHasher.TWOX64_CONCAT, H256, ContractInfo | None, None
)
"""PhatContracts.Contracts: contract id -> deployer, cluster, code and status."""
CONTRACT_KEYS: StorageMap[bytes, PublicKeys | None] = StorageMap(
    MODULE_NAME, "ContractKeys", StorageHasher.TWOX64_CONCAT, H256, PublicKeys | None, None
)
"""PhatContracts.ContractKeys: contract id -> its public keys (from the gatekeepers)."""

STAKES: StorageDoubleMap[bytes, bytes, int] = StorageDoubleMap(
    MODULE_NAME,
    "Stakes",
    (StorageHasher.BLAKE2_128_CONCAT, H256),
    (StorageHasher.TWOX64_CONCAT, H256),
    Balance,
    0,
)
"""PhatContracts.Stakes: (account, contract) -> PHA the account reserved on the contract."""
CONTRACT_TOTAL_STAKES: StorageMap[bytes, int] = StorageMap(
    MODULE_NAME, "ContractTotalStakes", StorageHasher.TWOX64_CONCAT, H256, Balance, 0
)
"""PhatContracts.ContractTotalStakes: contract -> all stake on it (its query weight)."""


def cluster_signing_key(state: State, cluster: bytes) -> bytes | None:
    """The ed25519 key a cluster's messages are signed with, once published."""
    keys = CLUSTER_KEYS.get(state, cluster)
    return None if keys is None else bytes(keys.signing)


def contract_signing_key(state: State, contract: bytes) -> bytes | None:
    """The ed25519 key a contract's messages are signed with, once published."""
    keys = CONTRACT_KEYS.get(state, contract)
    return None if keys is None else bytes(keys.signing)
