"""Registry's dispatch errors (the order is the on-chain error index)."""

from __future__ import annotations

from enum import StrEnum

from khala.attestation.errors import AttestationError
from khala.runtime.errors import DispatchError
from khala.runtime.modules.registry.constants import MODULE_INDEX


class RegistryError(StrEnum):
    """Registry error codes; the ``attestation`` ones mirror :class:`AttestationErrorCode`."""

    GENESIS_MISMATCH = "registry.genesis_mismatch"
    """The registration names another chain's genesis hash."""
    MALFORMED_QUOTE = "registry.malformed_quote"
    """The quote is not an SGX v3 or TDX v4 quote."""
    MALFORMED_COLLATERAL = "registry.malformed_collateral"
    """The collateral is not QuoteCollateralV3 JSON."""
    UNTRUSTED_ROOT = "registry.untrusted_root"
    """The quote's certificate chain does not end at a trusted root CA."""
    COLLATERAL_EXPIRED = "registry.collateral_expired"
    """The collateral is past its next update at block time: refresh it from a PCCS."""
    COLLATERAL_NOT_YET_VALID = "registry.collateral_not_yet_valid"
    """The collateral was issued after the block time."""
    INVALID_SIGNATURE = "registry.invalid_signature"
    """A quote or collateral signature does not verify."""
    TCB_REJECTED = "registry.tcb_rejected"
    """The platform's TCB status is not accepted by the TCB policy."""
    NO_TCB_LEVEL = "registry.no_tcb_level"
    """The platform's TCB is below every known level."""
    MEASUREMENT_NOT_ALLOWED = "registry.measurement_not_allowed"
    """The worker's measurement is not on the allow-list."""
    REPORT_DATA_MISMATCH = "registry.report_data_mismatch"
    """REPORTDATA does not commit to this registration info."""
    VERIFICATION_FAILED = "registry.verification_failed"
    """The quote failed verification for another reason."""
    QUOTE_TOO_OLD = "registry.quote_too_old"
    """The quote was requested more than two hours before the block."""
    QUOTE_FROM_FUTURE = "registry.quote_from_future"
    """The quote claims a request time ahead of the block time."""
    ATTESTATION_REPLAYED = "registry.attestation_replayed"
    """This attestation (measurement and REPORTDATA) was already used."""
    WORKER_NOT_FOUND = "registry.worker_not_found"
    """No worker is registered with this public key."""
    BAD_ENDPOINT_SIGNATURE = "registry.bad_endpoint_signature"
    """The endpoint update is not signed by the worker's identity key."""
    ENDPOINT_EXPIRED = "registry.endpoint_expired"
    """The endpoint update was signed more than four hours ago (or in the future)."""
    ENDPOINT_TOO_LONG = "registry.endpoint_too_long"
    """The endpoint is longer than 512 bytes."""
    MEASUREMENT_EXISTS = "registry.measurement_exists"
    """The measurement is already allowed."""
    MEASUREMENT_UNKNOWN = "registry.measurement_unknown"
    """The measurement is not on the allow-list."""
    ROOT_EXISTS = "registry.root_exists"
    """The root CA is already trusted."""
    ROOT_UNKNOWN = "registry.root_unknown"
    """The root CA is not trusted."""
    GATEKEEPER_EXISTS = "registry.gatekeeper_exists"
    """The worker is already a gatekeeper."""
    GATEKEEPER_UNKNOWN = "registry.gatekeeper_unknown"
    """The worker is not a gatekeeper."""
    NOT_A_WORKER = "registry.not_a_worker"
    """Only a registered worker may send this message."""
    BENCHMARK_ALREADY_REPORTED = "registry.benchmark_already_reported"
    """The worker's initial score is already set."""
    BAD_BENCHMARK = "registry.bad_benchmark"
    """The benchmark report starts in the future or spans no time."""
    MASTER_PUBKEY_EXISTS = "registry.master_pubkey_exists"
    """The master public key is already published; later gatekeepers receive the key instead."""
    LAST_GATEKEEPER = "registry.last_gatekeeper"
    """The last gatekeeper cannot be removed once the master key exists."""
    MALFORMED_MESSAGE = "registry.malformed_message"
    """The message payload does not decode as its topic's type."""


def registry_error(code: RegistryError, message: str) -> DispatchError:
    """Build a registry dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)


def from_attestation(error: AttestationError) -> DispatchError:
    """Turn an attestation rejection into the registry error with the same reason."""
    name = error.code.value.split(".", 1)[1]
    return registry_error(RegistryError(f"registry.{name}"), error.message)
