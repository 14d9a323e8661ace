"""Registry's storage."""

from __future__ import annotations

from khala.attestation.types import Measurement, TcbStatus
from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import H256
from khala.runtime.modules.registry.constants import MODULE_NAME
from khala.runtime.modules.registry.types import TcbPolicyRecord, WorkerEndpoint, WorkerInfo
from khala.runtime.state import State
from khala.runtime.storage import StorageMap, StorageValue

DEFAULT_POLICY = TcbPolicyRecord(
    [
        TcbStatus.UP_TO_DATE,
        TcbStatus.SW_HARDENING_NEEDED,
        TcbStatus.CONFIGURATION_NEEDED,
        TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED,
    ],
    [],
)
"""Accept everything but OutOfDate platforms, tolerate no advisory."""

WORKERS: StorageMap[bytes, WorkerInfo | None] = StorageMap(
    MODULE_NAME, "Workers", StorageHasher.TWOX64_CONCAT, H256, WorkerInfo | None, None
)
"""Registry.Workers: identity public key -> WorkerInfo."""
MEASUREMENTS: StorageValue[list[Measurement]] = StorageValue(
    MODULE_NAME, "Measurements", list[Measurement], []
)
"""Registry.Measurements: the allow-list of worker measurements."""
TCB_POLICY: StorageValue[TcbPolicyRecord] = StorageValue(
    MODULE_NAME, "TcbPolicy", TcbPolicyRecord, DEFAULT_POLICY
)
"""Registry.TcbPolicy: accepted statuses and tolerated advisories."""
TRUSTED_ROOTS: StorageValue[list[bytes]] = StorageValue(
    MODULE_NAME, "TrustedRoots", list[bytes], []
)
"""Registry.TrustedRoots: DER root CAs (an empty entry stands for Intel's root)."""
GATEKEEPERS: StorageValue[list[bytes]] = StorageValue(MODULE_NAME, "Gatekeepers", list[H256], [])
"""Registry.Gatekeepers: workers designated as gatekeepers."""
USED_ATTESTATIONS: StorageMap[bytes, bytes | None] = StorageMap(
    MODULE_NAME, "UsedAttestations", StorageHasher.IDENTITY, H256, H256 | None, None
)
"""Registry.UsedAttestations: blake2(SCALE(measurement) ++ REPORTDATA) -> the worker."""
MASTER_PUBKEY: StorageValue[bytes | None] = StorageValue(
    MODULE_NAME, "GatekeeperMasterPubkey", H256 | None, None
)
"""Registry.GatekeeperMasterPubkey: the master signing key's ed25519 public key, once the
first gatekeeper publishes it; it signs every ``GatekeeperOrigin`` message."""
ENDPOINTS: StorageMap[bytes, WorkerEndpoint | None] = StorageMap(
    MODULE_NAME, "Endpoints", StorageHasher.TWOX64_CONCAT, H256, WorkerEndpoint | None, None
)
"""Registry.Endpoints: identity public key -> its signed endpoint."""


def worker_info(state: State, pubkey: bytes) -> WorkerInfo | None:
    """The registered worker with this identity key, if any (for other modules)."""
    return WORKERS.get(state, pubkey)


def master_pubkey(state: State) -> bytes | None:
    """The gatekeepers' master public key, if published (for other modules)."""
    return MASTER_PUBKEY.get(state)
