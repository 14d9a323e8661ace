"""The registry's records."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from khala.attestation.types import Measurement
from khala.primitives.scale import H256, U8, U32, U64, ScaleEnum, variant
from khala.runtime.types import AccountId


@dataclass(frozen=True, slots=True)
class WorkerRegistrationInfo:
    """What a worker states about itself; its quote's REPORTDATA commits to this."""

    version: U32
    """The worker runtime's version."""
    machine_id: bytes
    """An identifier of the physical machine (operators choose it)."""
    pubkey: H256
    """The worker's sr25519 identity public key."""
    ecdh_pubkey: H256
    """The worker's x25519 public key."""
    genesis_hash: H256
    """The chain the worker registers on (replays on other chains fail)."""
    features: list[U32]
    """Feature flags (e.g. CPU cores) the worker advertises."""
    operator: AccountId | None
    """The account that operates the worker (a pool owner), if any."""


class AttestationReport(ScaleEnum):
    """An attestation in its provider's format."""


@variant(0)
@dataclass(frozen=True, slots=True)
class SgxDcapReport(AttestationReport):
    """An Intel DCAP quote (SGX or TDX) with its collateral."""

    quote: bytes
    """The raw quote."""
    collateral: bytes
    """QuoteCollateralV3 JSON (UTF-8)."""


class AttestationProvider(enum.IntEnum):
    """Who attested a worker."""

    DCAP = 0
    """Intel DCAP (SGX or TDX)."""


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """A registered worker (``Registry.Workers``)."""

    pubkey: H256
    """Identity public key."""
    ecdh_pubkey: H256
    """x25519 public key."""
    runtime_version: U32
    """Runtime version at the last registration."""
    last_updated: U64
    """Block time (seconds) of the last registration."""
    operator: AccountId | None
    """Operating account."""
    attestation_provider: AttestationProvider | None
    """Who attested it."""
    confidence_level: U8
    """1 (best) to 5."""
    initial_score: U32 | None
    """Benchmark score, once measured."""
    features: list[U32]
    """Advertised features."""


@dataclass(frozen=True, slots=True)
class TcbPolicyRecord:
    """The stored TCB policy."""

    accepted_statuses: list[U8]
    """Accepted ``TcbStatus`` values."""
    advisory_allowlist: list[str]
    """Advisories tolerated without lowering confidence."""


@dataclass(frozen=True, slots=True)
class WorkerEndpoint:
    """Where a worker serves its API, as it last signed it."""

    endpoint: str
    """URL of the worker's API."""
    signing_time: U64
    """When the worker signed it (seconds)."""


Measurements = list[Measurement]
"""The measurement allow-list."""


@dataclass(frozen=True, slots=True)
class BenchStart:
    """Tells a newly registered worker to benchmark for ``duration`` blocks."""

    worker: H256
    """The worker addressed."""
    duration: U32
    """Blocks to benchmark for."""


@dataclass(frozen=True, slots=True)
class BenchReport:
    """A worker's benchmark result, signed by its identity key."""

    start_time: U64
    """Block time (s) when the benchmark started."""
    iterations: U64
    """Iterations counted since then."""


@dataclass(frozen=True, slots=True)
class MasterPubkeyUpload:
    """The first gatekeeper's master public key, signed by its identity key."""

    master_pubkey: H256
    """The master signing key's ed25519 public key."""


@dataclass(frozen=True, slots=True)
class NewGatekeeper:
    """Sent when governance registers a gatekeeper: the others hand it the master key."""

    pubkey: H256
    """The new gatekeeper's identity key."""
    ecdh_pubkey: H256
    """Its x25519 key, which the master key is sealed to."""


@dataclass(frozen=True, slots=True)
class MasterKeyDistribution:
    """The master key sealed to one gatekeeper (from the gatekeepers, signed by the master key)."""

    dest: H256
    """The recipient gatekeeper's identity key."""
    envelope: bytes
    """The sealed master key (see ``khala.offchain.master_key``)."""
