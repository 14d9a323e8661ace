"""The registration rules: everything ``register_worker`` checks before it writes.

1. the info names this chain's genesis;
2. the quote verifies at block time under the stored trusted roots and TCB policy;
3. REPORTDATA[0..32] is blake2-256 of the SCALE-encoded info;
4. the quote was requested at most two hours before the block (and not after it);
5. the measurement is on the allow-list;
6. this (measurement, REPORTDATA) pair has not registered before.
"""

from __future__ import annotations

from dataclasses import dataclass

from khala.attestation.errors import AttestationError
from khala.attestation.policy import AttestationPolicy, check_measurement, verify_attestation
from khala.attestation.types import TcbStatus, VerifiedAttestation
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import codec_of
from khala.runtime.modules.registry import state
from khala.runtime.modules.registry.constants import (
    MAX_CLOCK_AHEAD_SECS,
    MAX_QUOTE_AGE_SECS,
    REPORT_DATA_BINDING,
    REPORT_DATA_TIME,
)
from khala.runtime.modules.registry.errors import (
    RegistryErrorCode,
    from_attestation,
    registry_error,
)
from khala.runtime.modules.registry.types import (
    AttestationReport,
    SgxDcapReport,
    WorkerRegistrationInfo,
)
from khala.runtime.state import State

_INFO = codec_of(WorkerRegistrationInfo)


@dataclass(frozen=True, slots=True)
class CheckedRegistration:
    """A registration that passed every rule."""

    attestation: VerifiedAttestation
    """What the quote proved."""
    dedupe_key: bytes
    """blake2(SCALE(measurement) ++ REPORTDATA), recorded so the attestation cannot be replayed."""


def report_data_for(info: WorkerRegistrationInfo, request_time_secs: int, nonce: bytes) -> bytes:
    """Build the REPORTDATA a worker puts in its quote (see the module's layout table)."""
    if len(nonce) != 24:
        raise ValueError("the nonce is 24 bytes")
    return blake2_256(_INFO.encode(info)) + request_time_secs.to_bytes(8, "little") + nonce


def current_policy(storage: State) -> AttestationPolicy:
    """The attestation policy in storage (trusted roots, statuses, advisories)."""
    record = state.TCB_POLICY.get(storage)
    return AttestationPolicy(
        tuple(state.TRUSTED_ROOTS.get(storage)),
        frozenset(TcbStatus(value) for value in record.accepted_statuses),
        frozenset(record.advisory_allowlist),
    )


def check_registration(
    storage: State,
    info: WorkerRegistrationInfo,
    report: AttestationReport,
    *,
    genesis_hash: bytes,
    now_secs: int,
) -> CheckedRegistration:
    """Apply the registration rules.

    Raises:
        DispatchError: A registry error naming the first rule broken.
    """
    if info.genesis_hash != genesis_hash:
        raise registry_error(
            RegistryErrorCode.GENESIS_MISMATCH, "the registration is for another chain"
        )
    if not isinstance(report, SgxDcapReport):
        raise registry_error(
            RegistryErrorCode.MALFORMED_QUOTE, "only DCAP attestations are supported"
        )
    try:
        collateral = report.collateral.decode()
    except UnicodeDecodeError:
        raise registry_error(
            RegistryErrorCode.MALFORMED_COLLATERAL, "collateral is not UTF-8 JSON"
        ) from None
    try:
        verified = verify_attestation(report.quote, collateral, now_secs, current_policy(storage))
        check_measurement(verified, state.MEASUREMENTS.get(storage))
    except AttestationError as error:
        raise from_attestation(error) from None
    data = verified.report_data
    if data[REPORT_DATA_BINDING] != blake2_256(_INFO.encode(info)):
        raise registry_error(
            RegistryErrorCode.REPORT_DATA_MISMATCH,
            "REPORTDATA does not commit to this registration",
        )
    requested = int.from_bytes(data[REPORT_DATA_TIME], "little")
    if requested + MAX_QUOTE_AGE_SECS < now_secs:
        raise registry_error(
            RegistryErrorCode.QUOTE_TOO_OLD, "the quote is more than two hours old"
        )
    if requested > now_secs + MAX_CLOCK_AHEAD_SECS:
        raise registry_error(
            RegistryErrorCode.QUOTE_FROM_FUTURE, "the quote's request time is ahead of the block"
        )
    dedupe_key = blake2_256(
        codec_of(type(verified.measurement)).encode(verified.measurement) + data
    )
    if state.USED_ATTESTATIONS.get(storage, dedupe_key) is not None:
        raise registry_error(
            RegistryErrorCode.ATTESTATION_REPLAYED, "this attestation was already used"
        )
    return CheckedRegistration(verified, dedupe_key)
