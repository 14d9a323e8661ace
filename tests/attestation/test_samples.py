"""Real DCAP samples (../shared/dcap-qvl-samples) through our policy layer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography import x509

from khala.attestation.errors import AttestationError, AttestationErrorCode
from khala.attestation.policy import INTEL_ROOT, AttestationPolicy, verify_attestation
from khala.attestation.types import SgxMeasurement, TcbStatus

INTEL = AttestationPolicy((INTEL_ROOT,))


def _sample(shared: Path, name: str) -> tuple[bytes, str]:
    folder = shared / "dcap-qvl-samples"
    return (folder / name).read_bytes(), (folder / f"{name}_collateral.json").read_text()


def valid_now(collateral: str) -> int:
    """min(nextUpdate over TCB info, QE identity and both CRLs) - 1, as PROVENANCE.md asks."""
    document = json.loads(collateral)
    moments = [
        x509.load_der_x509_crl(bytes.fromhex(document[name])).next_update_utc.timestamp()
        for name in ("root_ca_crl", "pck_crl")
    ]
    for name in ("tcb_info", "qe_identity"):
        from datetime import datetime

        text = json.loads(document[name])["nextUpdate"]
        moments.append(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
    return int(min(moments)) - 1


def test_sgx_sample_status_and_advisories(shared: Path) -> None:
    """The SGX sample is ConfigurationAndSWHardeningNeeded with INTEL-SA-00289 and -00615."""
    quote, collateral = _sample(shared, "sgx_quote")
    verified = verify_attestation(quote, collateral, valid_now(collateral), INTEL)
    assert verified.status is TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED
    assert verified.advisories == ("INTEL-SA-00289", "INTEL-SA-00615")
    assert verified.tee == "SGX" and isinstance(verified.measurement, SgxMeasurement)
    assert verified.confidence == 4  # advisories outside the (empty) allow-list
    allowing = AttestationPolicy((INTEL_ROOT,), advisory_allowlist=frozenset(verified.advisories))
    assert verify_attestation(quote, collateral, valid_now(collateral), allowing).confidence == 3


def test_tdx_sample_is_up_to_date(shared: Path) -> None:
    """The TDX sample is UpToDate with no advisories: confidence 1."""
    quote, collateral = _sample(shared, "tdx_quote")
    verified = verify_attestation(quote, collateral, valid_now(collateral), INTEL)
    assert (verified.status, verified.advisories, verified.confidence, verified.tee) == (
        TcbStatus.UP_TO_DATE,
        (),
        1,
        "TDX",
    )


def test_outdated_sample_is_rejected(shared: Path) -> None:
    """The outdated TDX sample matches no TCB level."""
    quote, collateral = _sample(shared, "tdx_quote_outdated")
    with pytest.raises(AttestationError) as caught:
        verify_attestation(quote, collateral, valid_now(collateral), INTEL)
    assert caught.value.code is AttestationErrorCode.NO_TCB_LEVEL
    assert (
        "No matching TCB level" in caught.value.message
        or "no matching TCB level" in caught.value.message
    )


@pytest.mark.parametrize(
    ("offset", "part"),
    [(10, "header"), (100, "body"), (48 + 320 + 5, "REPORTDATA"), (48 + 384 + 4 + 5, "signature")],
)
def test_one_flipped_byte_is_rejected(shared: Path, offset: int, part: str) -> None:
    """Flipping one byte in the header, body, REPORTDATA or signature fails verification."""
    quote, collateral = _sample(shared, "sgx_quote")
    tampered = bytearray(quote)
    tampered[offset] ^= 1
    with pytest.raises(AttestationError) as caught:
        verify_attestation(bytes(tampered), collateral, valid_now(collateral), INTEL)
    assert caught.value.code in (
        AttestationErrorCode.INVALID_SIGNATURE,
        AttestationErrorCode.MALFORMED_QUOTE,
    ), part


def test_expired_collateral_is_explained(shared: Path) -> None:
    """After the collateral's next update the quote is rejected, naming when and what to do."""
    quote, collateral = _sample(shared, "sgx_quote")
    with pytest.raises(AttestationError) as caught:
        verify_attestation(quote, collateral, valid_now(collateral) + 3600, INTEL)
    assert caught.value.code is AttestationErrorCode.COLLATERAL_EXPIRED
    assert "2025-07-19" in caught.value.message and "PCCS" in caught.value.message


def test_policy_refusing_the_status(shared: Path) -> None:
    """A policy accepting only UpToDate rejects the SGX sample with tcb_rejected."""
    quote, collateral = _sample(shared, "sgx_quote")
    strict = AttestationPolicy((INTEL_ROOT,), accepted_statuses=frozenset({TcbStatus.UP_TO_DATE}))
    with pytest.raises(AttestationError) as caught:
        verify_attestation(quote, collateral, valid_now(collateral), strict)
    assert caught.value.code is AttestationErrorCode.TCB_REJECTED
    assert "ConfigurationAndSWHardeningNeeded is below the policy" in caught.value.message


def test_garbage_inputs_are_typed(shared: Path) -> None:
    """Non-quotes and non-collateral are malformed, not crashes."""
    quote, collateral = _sample(shared, "sgx_quote")
    with pytest.raises(AttestationError) as caught:
        verify_attestation(b"\x00" * 10, collateral, 1, INTEL)
    assert caught.value.code is AttestationErrorCode.MALFORMED_QUOTE
    with pytest.raises(AttestationError) as caught:
        verify_attestation(quote, "{}", 1, INTEL)
    assert caught.value.code is AttestationErrorCode.MALFORMED_COLLATERAL
