"""Registry's events."""

from __future__ import annotations

from dataclasses import dataclass

from khala.attestation.types import Measurement
from khala.primitives.scale import H256, U8, U32, ScaleEnum, variant
from khala.runtime.modules.registry.types import AttestationProvider


class Event(ScaleEnum):
    """A registry event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class WorkerAdded(Event):
    """A worker registered for the first time."""

    pubkey: H256
    """Its identity key."""
    attestation_provider: AttestationProvider
    """Who attested it."""
    confidence_level: U8
    """Its confidence level."""


@variant(1)
@dataclass(frozen=True, slots=True)
class WorkerUpdated(Event):
    """A registered worker refreshed its registration."""

    pubkey: H256
    """Its identity key."""
    attestation_provider: AttestationProvider
    """Who attested it."""
    confidence_level: U8
    """Its confidence level."""


@variant(2)
@dataclass(frozen=True, slots=True)
class EndpointUpdated(Event):
    """A worker published its endpoint."""

    pubkey: H256
    """The worker."""
    endpoint: str
    """Its API URL."""


@variant(3)
@dataclass(frozen=True, slots=True)
class MeasurementAdded(Event):
    """Governance allowed a measurement."""

    measurement: Measurement
    """The measurement."""


@variant(4)
@dataclass(frozen=True, slots=True)
class MeasurementRemoved(Event):
    """Governance removed a measurement."""

    measurement: Measurement
    """The measurement."""


@variant(5)
@dataclass(frozen=True, slots=True)
class TcbPolicySet(Event):
    """Governance changed the TCB policy."""


@variant(6)
@dataclass(frozen=True, slots=True)
class TrustedRootAdded(Event):
    """Governance trusted a root CA."""

    root_hash: H256
    """blake2-256 of its DER."""


@variant(7)
@dataclass(frozen=True, slots=True)
class TrustedRootRemoved(Event):
    """Governance stopped trusting a root CA."""

    root_hash: H256
    """blake2-256 of its DER."""


@variant(8)
@dataclass(frozen=True, slots=True)
class GatekeeperRegistered(Event):
    """A worker became a gatekeeper."""

    pubkey: H256
    """The worker."""


@variant(9)
@dataclass(frozen=True, slots=True)
class GatekeeperUnregistered(Event):
    """A worker stopped being a gatekeeper."""

    pubkey: H256
    """The worker."""


@variant(10)
@dataclass(frozen=True, slots=True)
class BenchmarkReported(Event):
    """A worker finished its benchmark; its initial score is set."""

    pubkey: H256
    """The worker."""
    score: U32
    """Iterations per 6 s, capped at 6000."""


@variant(11)
@dataclass(frozen=True, slots=True)
class MasterPubkeyPublished(Event):
    """The first gatekeeper published the master public key."""

    master_pubkey: H256
    """The master signing key's ed25519 public key."""
