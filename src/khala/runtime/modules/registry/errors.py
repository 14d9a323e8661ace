"""Registry's dispatch errors (each with its declared on-chain index)."""

from __future__ import annotations

from khala.attestation.errors import AttestationError
from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.registry.constants import MODULE_INDEX


class RegistryErrorCode(ModuleErrorCode):
    """Registry error codes; the ``attestation`` ones mirror :class:`AttestationErrorCode`."""

    GENESIS_MISMATCH = "registry.genesis_mismatch", 0
    """The registration names another chain's genesis hash."""
    MALFORMED_QUOTE = "registry.malformed_quote", 1
    """The quote is not an SGX v3 or TDX v4 quote."""
    MALFORMED_COLLATERAL = "registry.malformed_collateral", 2
    """The collateral is not QuoteCollateralV3 JSON."""
    UNTRUSTED_ROOT = "registry.untrusted_root", 3
    """The quote's certificate chain does not end at a trusted root CA."""
    COLLATERAL_EXPIRED = "registry.collateral_expired", 4
    """The collateral is past its next update at block time: refresh it from a PCCS."""
    COLLATERAL_NOT_YET_VALID = "registry.collateral_not_yet_valid", 5
    """The collateral was issued after the block time."""
    INVALID_SIGNATURE = "registry.invalid_signature", 6
    """A quote or collateral signature does not verify."""
    TCB_REJECTED = "registry.tcb_rejected", 7
    """The platform's TCB status is not accepted by the TCB policy."""
    NO_TCB_LEVEL = "registry.no_tcb_level", 8
    """The platform's TCB is below every known level."""
    MEASUREMENT_NOT_ALLOWED = "registry.measurement_not_allowed", 9
    """The worker's measurement is not on the allow-list."""
    REPORT_DATA_MISMATCH = "registry.report_data_mismatch", 10
    """REPORTDATA does not commit to this registration info."""
    VERIFICATION_FAILED = "registry.verification_failed", 11
    """The quote failed verification for another reason."""
    QUOTE_TOO_OLD = "registry.quote_too_old", 12
    """The quote was requested more than two hours before the block."""
    QUOTE_FROM_FUTURE = "registry.quote_from_future", 13
    """The quote claims a request time ahead of the block time."""
    ATTESTATION_REPLAYED = "registry.attestation_replayed", 14
    """This attestation (measurement and REPORTDATA) was already used."""
    WORKER_NOT_FOUND = "registry.worker_not_found", 15
    """No worker is registered with this public key."""
    BAD_ENDPOINT_SIGNATURE = "registry.bad_endpoint_signature", 16
    """The endpoint update is not signed by the worker's identity key."""
    ENDPOINT_EXPIRED = "registry.endpoint_expired", 17
    """The endpoint update was signed more than four hours ago (or in the future)."""
    ENDPOINT_TOO_LONG = "registry.endpoint_too_long", 18
    """The endpoint is longer than 512 bytes."""
    MEASUREMENT_EXISTS = "registry.measurement_exists", 19
    """The measurement is already allowed."""
    MEASUREMENT_UNKNOWN = "registry.measurement_unknown", 20
    """The measurement is not on the allow-list."""
    ROOT_EXISTS = "registry.root_exists", 21
    """The root CA is already trusted."""
    ROOT_UNKNOWN = "registry.root_unknown", 22
    """The root CA is not trusted."""
    GATEKEEPER_EXISTS = "registry.gatekeeper_exists", 23
    """The worker is already a gatekeeper."""
    GATEKEEPER_UNKNOWN = "registry.gatekeeper_unknown", 24
    """The worker is not a gatekeeper."""
    NOT_A_WORKER = "registry.not_a_worker", 25
    """Only a registered worker may send this message."""
    BENCHMARK_ALREADY_REPORTED = "registry.benchmark_already_reported", 26
    """The worker's initial score is already set (and at least the minimum to compute)."""
    BAD_BENCHMARK = "registry.bad_benchmark", 27
    """The benchmark report starts in the future or spans no time."""
    MASTER_PUBKEY_EXISTS = "registry.master_pubkey_exists", 28
    """The master public key is already published; later gatekeepers receive the key instead."""
    LAST_GATEKEEPER = "registry.last_gatekeeper", 29
    """The last gatekeeper cannot be removed once the master key exists."""
    MALFORMED_MESSAGE = "registry.malformed_message", 30
    """The message payload does not decode as its topic's type."""


def registry_error(code: RegistryErrorCode, message: str) -> DispatchError:
    """Build a registry dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)


def from_attestation(error: AttestationError) -> DispatchError:
    """Turn an attestation rejection into the registry error with the same reason."""
    name = error.code.value.split(".", 1)[1]
    code = next(member for member in RegistryErrorCode if member.value == f"registry.{name}")
    return registry_error(code, error.message)
