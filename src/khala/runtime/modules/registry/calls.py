"""Registry's calls: registration, endpoints, and governance (root for now, council later)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.attestation.types import Measurement
from khala.primitives.crypto import KeyScheme, SignedContentType, verify_content
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import H256, H512, U64, ScaleEnum, codec_of, variant
from khala.runtime.context import Context, ensure_governance, ensure_signed
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.registry import events, state
from khala.runtime.modules.registry.constants import (
    ENDPOINT_WEIGHT,
    GOVERNANCE_WEIGHT,
    MAX_CLOCK_AHEAD_SECS,
    MAX_ENDPOINT_AGE_SECS,
    MAX_ENDPOINT_LENGTH,
    REGISTER_WEIGHT,
)
from khala.runtime.modules.registry.errors import RegistryErrorCode, registry_error
from khala.runtime.modules.registry.messages import (
    announce_gatekeeper,
    needs_benchmark,
    start_benchmark,
)
from khala.runtime.modules.registry.registration import check_registration
from khala.runtime.modules.registry.types import (
    AttestationProvider,
    AttestationReport,
    TcbPolicyRecord,
    WorkerEndpoint,
    WorkerInfo,
    WorkerRegistrationInfo,
)
from khala.runtime.modules.timestamp.state import NOW
from khala.runtime.state import State
from khala.runtime.types import DispatchClass


class Call(ScaleEnum):
    """A registry call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class RegisterWorker(Call):
    """Register (or refresh) a worker with its attestation; anyone may submit it."""

    info: WorkerRegistrationInfo
    """What the worker states."""
    attestation: AttestationReport
    """Its quote and collateral."""


@variant(1)
@dataclass(frozen=True, slots=True)
class UpdateWorkerEndpoint(Call):
    """Publish a worker's endpoint, signed by its identity key."""

    pubkey: H256
    """The worker."""
    endpoint: str
    """Its API URL."""
    signing_time: U64
    """When it signed (seconds)."""
    signature: H512
    """Identity signature over ``0xff ‖ ENDPOINT_INFO ‖ SCALE((pubkey, endpoint, time))``."""


@variant(10)
@dataclass(frozen=True, slots=True)
class AddMeasurement(Call):
    """Governance: allow a measurement."""

    measurement: Measurement
    """The measurement."""


@variant(11)
@dataclass(frozen=True, slots=True)
class RemoveMeasurement(Call):
    """Governance: remove a measurement from the allow-list."""

    measurement: Measurement
    """The measurement."""


@variant(12)
@dataclass(frozen=True, slots=True)
class SetTcbPolicy(Call):
    """Governance: set accepted TCB statuses and tolerated advisories."""

    policy: TcbPolicyRecord
    """The new policy."""


@variant(13)
@dataclass(frozen=True, slots=True)
class AddTrustedRoot(Call):
    """Governance: trust a root CA (DER; empty for Intel's root)."""

    root: bytes
    """The certificate."""


@variant(14)
@dataclass(frozen=True, slots=True)
class RemoveTrustedRoot(Call):
    """Governance: stop trusting a root CA."""

    root: bytes
    """The certificate."""


@variant(15)
@dataclass(frozen=True, slots=True)
class RegisterGatekeeper(Call):
    """Governance: make a registered worker a gatekeeper."""

    pubkey: H256
    """The worker."""


@variant(16)
@dataclass(frozen=True, slots=True)
class UnregisterGatekeeper(Call):
    """Governance: remove a gatekeeper."""

    pubkey: H256
    """The worker."""


def endpoint_payload(pubkey: bytes, endpoint: str, signing_time: int) -> bytes:
    """The bytes a worker signs (as ``SignedContentType.ENDPOINT_INFO``) to publish an endpoint."""
    payload: bytes = codec_of(tuple[H256, str, U64]).encode((pubkey, endpoint, signing_time))
    return payload


def register_worker(storage: State, ctx: Context, args: RegisterWorker) -> None:
    """Check every registration rule, then store the worker and record the attestation."""
    ensure_signed(ctx)
    now_secs = NOW.get(storage) // 1000
    checked = check_registration(
        storage, args.info, args.attestation, genesis_hash=ctx.env.genesis_hash, now_secs=now_secs
    )
    info = args.info
    previous = state.WORKERS.get(storage, info.pubkey)
    record = WorkerInfo(
        info.pubkey,
        info.ecdh_pubkey,
        info.version,
        now_secs,
        info.operator,
        AttestationProvider.DCAP,
        checked.attestation.confidence,
        None if previous is None else previous.initial_score,
        list(info.features),
    )
    state.WORKERS.insert(storage, info.pubkey, record)
    state.USED_ATTESTATIONS.insert(storage, checked.dedupe_key, info.pubkey)
    kind = events.WorkerAdded if previous is None else events.WorkerUpdated
    ctx.emit(kind(info.pubkey, AttestationProvider.DCAP, checked.attestation.confidence))
    if needs_benchmark(record):
        start_benchmark(storage, ctx, info.pubkey)


def update_worker_endpoint(storage: State, ctx: Context, args: UpdateWorkerEndpoint) -> None:
    """Verify the worker's signature and freshness, then store its endpoint."""
    ensure_signed(ctx)
    if state.WORKERS.get(storage, args.pubkey) is None:
        raise registry_error(RegistryErrorCode.WORKER_NOT_FOUND, "register the worker first")
    if len(args.endpoint.encode()) > MAX_ENDPOINT_LENGTH:
        raise registry_error(
            RegistryErrorCode.ENDPOINT_TOO_LONG,
            f"endpoints are at most {MAX_ENDPOINT_LENGTH} bytes",
        )
    now_secs = NOW.get(storage) // 1000
    if not now_secs - MAX_ENDPOINT_AGE_SECS <= args.signing_time <= now_secs + MAX_CLOCK_AHEAD_SECS:
        raise registry_error(
            RegistryErrorCode.ENDPOINT_EXPIRED, "the endpoint signature is older than 4 hours"
        )
    payload = endpoint_payload(args.pubkey, args.endpoint, args.signing_time)
    if not verify_content(
        KeyScheme.SR25519, args.pubkey, SignedContentType.ENDPOINT_INFO, payload, args.signature
    ):
        raise registry_error(
            RegistryErrorCode.BAD_ENDPOINT_SIGNATURE, "not signed by the worker's identity"
        )
    state.ENDPOINTS.insert(storage, args.pubkey, WorkerEndpoint(args.endpoint, args.signing_time))
    ctx.emit(events.EndpointUpdated(args.pubkey, args.endpoint))


def add_measurement(storage: State, ctx: Context, args: AddMeasurement) -> None:
    """Allow a measurement."""
    ensure_governance(ctx)
    allowed = state.MEASUREMENTS.get(storage)
    if args.measurement in allowed:
        raise registry_error(
            RegistryErrorCode.MEASUREMENT_EXISTS, "the measurement is already allowed"
        )
    state.MEASUREMENTS.put(storage, [*allowed, args.measurement])
    ctx.emit(events.MeasurementAdded(args.measurement))


def remove_measurement(storage: State, ctx: Context, args: RemoveMeasurement) -> None:
    """Remove a measurement from the allow-list."""
    ensure_governance(ctx)
    allowed = state.MEASUREMENTS.get(storage)
    if args.measurement not in allowed:
        raise registry_error(
            RegistryErrorCode.MEASUREMENT_UNKNOWN, "the measurement is not allowed"
        )
    state.MEASUREMENTS.put(storage, [item for item in allowed if item != args.measurement])
    ctx.emit(events.MeasurementRemoved(args.measurement))


def set_tcb_policy(storage: State, ctx: Context, args: SetTcbPolicy) -> None:
    """Replace the TCB policy."""
    ensure_governance(ctx)
    state.TCB_POLICY.put(storage, args.policy)
    ctx.emit(events.TcbPolicySet())


def add_trusted_root(storage: State, ctx: Context, args: AddTrustedRoot) -> None:
    """Trust a root CA."""
    ensure_governance(ctx)
    roots = state.TRUSTED_ROOTS.get(storage)
    if args.root in roots:
        raise registry_error(RegistryErrorCode.ROOT_EXISTS, "the root CA is already trusted")
    state.TRUSTED_ROOTS.put(storage, [*roots, args.root])
    ctx.emit(events.TrustedRootAdded(blake2_256(args.root)))


def remove_trusted_root(storage: State, ctx: Context, args: RemoveTrustedRoot) -> None:
    """Stop trusting a root CA."""
    ensure_governance(ctx)
    roots = state.TRUSTED_ROOTS.get(storage)
    if args.root not in roots:
        raise registry_error(RegistryErrorCode.ROOT_UNKNOWN, "the root CA is not trusted")
    state.TRUSTED_ROOTS.put(storage, [root for root in roots if root != args.root])
    ctx.emit(events.TrustedRootRemoved(blake2_256(args.root)))


def register_gatekeeper(storage: State, ctx: Context, args: RegisterGatekeeper) -> None:
    """Designate a registered worker as gatekeeper."""
    ensure_governance(ctx)
    info = state.WORKERS.get(storage, args.pubkey)
    if info is None:
        raise registry_error(
            RegistryErrorCode.WORKER_NOT_FOUND, "only registered workers can be gatekeepers"
        )
    keepers = state.GATEKEEPERS.get(storage)
    if args.pubkey in keepers:
        raise registry_error(RegistryErrorCode.GATEKEEPER_EXISTS, "already a gatekeeper")
    state.GATEKEEPERS.put(storage, [*keepers, args.pubkey])
    ctx.emit(events.GatekeeperRegistered(args.pubkey))
    announce_gatekeeper(storage, ctx, args.pubkey, info.ecdh_pubkey)


def unregister_gatekeeper(storage: State, ctx: Context, args: UnregisterGatekeeper) -> None:
    """Remove a gatekeeper."""
    ensure_governance(ctx)
    keepers = state.GATEKEEPERS.get(storage)
    if args.pubkey not in keepers:
        raise registry_error(RegistryErrorCode.GATEKEEPER_UNKNOWN, "not a gatekeeper")
    if len(keepers) == 1 and state.MASTER_PUBKEY.get(storage) is not None:
        raise registry_error(
            RegistryErrorCode.LAST_GATEKEEPER,
            "the last gatekeeper holds the only copy of the master key; register another first",
        )
    state.GATEKEEPERS.put(storage, [key for key in keepers if key != args.pubkey])
    ctx.emit(events.GatekeeperUnregistered(args.pubkey))


_OPERATIONAL = DispatchClass.OPERATIONAL
CALLS: dict[type, CallSpec] = {
    RegisterWorker: CallSpec(register_worker, REGISTER_WEIGHT),
    UpdateWorkerEndpoint: CallSpec(update_worker_endpoint, ENDPOINT_WEIGHT),
    AddMeasurement: CallSpec(add_measurement, GOVERNANCE_WEIGHT, _OPERATIONAL),
    RemoveMeasurement: CallSpec(remove_measurement, GOVERNANCE_WEIGHT, _OPERATIONAL),
    SetTcbPolicy: CallSpec(set_tcb_policy, GOVERNANCE_WEIGHT, _OPERATIONAL),
    AddTrustedRoot: CallSpec(add_trusted_root, GOVERNANCE_WEIGHT, _OPERATIONAL),
    RemoveTrustedRoot: CallSpec(remove_trusted_root, GOVERNANCE_WEIGHT, _OPERATIONAL),
    RegisterGatekeeper: CallSpec(register_gatekeeper, GOVERNANCE_WEIGHT, _OPERATIONAL),
    UnregisterGatekeeper: CallSpec(unregister_gatekeeper, GOVERNANCE_WEIGHT, _OPERATIONAL),
}
"""Handlers of the registry's calls."""
