"""Why an attestation was rejected: a typed code and a message that says what to fix."""

from __future__ import annotations

from enum import StrEnum

from khala.errors import KhalaError


class AttestationErrorCode(StrEnum):
    """Codes of :class:`AttestationError`."""

    MALFORMED_QUOTE = "attestation.malformed_quote"
    """The quote bytes do not parse as an SGX v3 or TDX v4 quote."""
    MALFORMED_COLLATERAL = "attestation.malformed_collateral"
    """The collateral is not dcap-qvl's QuoteCollateralV3 JSON."""
    UNTRUSTED_ROOT = "attestation.untrusted_root"
    """The certificate chain does not end at a root CA the policy trusts."""
    COLLATERAL_EXPIRED = "attestation.collateral_expired"
    """A CRL, TCB info or QE identity is past its next update: refresh it from a PCCS."""
    COLLATERAL_NOT_YET_VALID = "attestation.collateral_not_yet_valid"
    """The collateral was issued after the verification time."""
    INVALID_SIGNATURE = "attestation.invalid_signature"
    """A quote, report or collateral signature does not verify (tampered or wrong keys)."""
    TCB_REJECTED = "attestation.tcb_rejected"
    """The platform's TCB status is not accepted by the policy (e.g. OutOfDate)."""
    NO_TCB_LEVEL = "attestation.no_tcb_level"
    """The platform's TCB is below every level in the TCB info."""
    MEASUREMENT_NOT_ALLOWED = "attestation.measurement_not_allowed"
    """The enclave's measurement is not on the governance allow-list."""
    REPORT_DATA_MISMATCH = "attestation.report_data_mismatch"
    """REPORTDATA does not commit to the registration being submitted."""
    VERIFICATION_FAILED = "attestation.verification_failed"
    """dcap-qvl rejected the quote for another reason (see the message)."""


class AttestationError(KhalaError):
    """A quote or its collateral is not acceptable."""
