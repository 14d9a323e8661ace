"""The simulated quoting enclave: real-format quotes that pass only under the dev root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from khala.attestation.dev_pki import load_or_create
from khala.attestation.errors import AttestationError, AttestationErrorCode
from khala.attestation.policy import (
    INTEL_ROOT,
    AttestationPolicy,
    check_measurement,
    verify_attestation,
)
from khala.attestation.simulated_quote import EnclaveReport, sgx_quote
from khala.attestation.types import SgxMeasurement, TcbStatus

NOW = 1_800_000_000
REPORT = EnclaveReport(b"\x11" * 32, b"\x22" * 32, 1, 3, b"\x33" * 64)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return load_or_create(tmp_path_factory.mktemp("pki") / "dev-pki")


def test_dev_quote_passes_unmodified_dcap_qvl_under_the_dev_root(pki) -> None:  # type: ignore[no-untyped-def]
    """A simulated quote verifies as UpToDate under the dev root, with its measurement."""
    quote = sgx_quote(pki, REPORT, ec.generate_private_key(ec.SECP256R1()))
    verified = verify_attestation(
        quote, pki.collateral_json(NOW), NOW, AttestationPolicy((pki.root_der,))
    )
    assert verified.status is TcbStatus.UP_TO_DATE and verified.confidence == 1
    assert verified.measurement == SgxMeasurement(b"\x11" * 32, b"\x22" * 32, 1, 3)
    assert verified.report_data == b"\x33" * 64
    check_measurement(verified, [verified.measurement])
    with pytest.raises(AttestationError) as caught:
        check_measurement(verified, [SgxMeasurement(b"\x00" * 32, b"\x22" * 32, 1, 3)])
    assert caught.value.code is AttestationErrorCode.MEASUREMENT_NOT_ALLOWED
    assert "0x1111" in caught.value.message


def test_dev_quote_fails_under_intel_root(pki, shared: Path) -> None:  # type: ignore[no-untyped-def]
    """The same quote is rejected under Intel's root, built in or given explicitly."""
    quote = sgx_quote(pki, REPORT, ec.generate_private_key(ec.SECP256R1()))
    collateral = pki.collateral_json(NOW)
    sample = json.loads((shared / "dcap-qvl-samples" / "sgx_quote_collateral.json").read_text())
    intel_der = x509.load_pem_x509_certificates(sample["tcb_info_issuer_chain"].encode())[
        -1
    ].public_bytes(Encoding.DER)
    for root in (INTEL_ROOT, intel_der):
        with pytest.raises(AttestationError) as caught:
            verify_attestation(quote, collateral, NOW, AttestationPolicy((root,)))
        assert caught.value.code is AttestationErrorCode.UNTRUSTED_ROOT


def test_tampered_dev_quote_and_stale_collateral_are_rejected(pki) -> None:  # type: ignore[no-untyped-def]
    """A flipped REPORTDATA byte or collateral past its next update is rejected."""
    quote = bytearray(sgx_quote(pki, REPORT, ec.generate_private_key(ec.SECP256R1())))
    policy = AttestationPolicy((pki.root_der,))
    collateral = pki.collateral_json(NOW)
    quote[48 + 320] ^= 1
    with pytest.raises(AttestationError) as caught:
        verify_attestation(bytes(quote), collateral, NOW, policy)
    assert caught.value.code is AttestationErrorCode.INVALID_SIGNATURE
    good = sgx_quote(pki, REPORT, ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(AttestationError) as caught:
        verify_attestation(good, collateral, NOW + 31 * 86_400, policy)
    assert caught.value.code is AttestationErrorCode.COLLATERAL_EXPIRED


def test_pki_is_created_once_and_reloaded(tmp_path: Path) -> None:
    """Loading the same directory twice gives the same root; a foreign directory is refused."""
    first = load_or_create(tmp_path / "pki")
    second = load_or_create(tmp_path / "pki")
    assert first.root_der == second.root_der
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "unrelated.txt").write_text("x")
    with pytest.raises(ValueError, match="holds no dev PKI"):
        load_or_create(tmp_path / "other")


def test_tdx_quote_passes_under_dev_root_only(pki) -> None:  # type: ignore[no-untyped-def]
    """A simulated TDX v4 quote verifies as UpToDate under the dev root, not under Intel's."""
    from khala.attestation.simulated_quote import TdReport, tdx_quote
    from khala.attestation.types import TdxMeasurement

    report = TdReport(
        b"\x01" * 48, (b"\x02" * 48, b"\x03" * 48, b"\x04" * 48, b"\x05" * 48), b"\x06" * 64
    )
    quote = tdx_quote(pki, report, ec.generate_private_key(ec.SECP256R1()))
    collateral = pki.collateral_json(NOW, "TDX")
    verified = verify_attestation(quote, collateral, NOW, AttestationPolicy((pki.root_der,)))
    assert verified.tee == "TDX" and verified.status is TcbStatus.UP_TO_DATE
    assert verified.measurement == TdxMeasurement(
        b"\x01" * 48, b"\x02" * 48, b"\x03" * 48, b"\x04" * 48, b"\x05" * 48
    )
    assert verified.report_data == b"\x06" * 64
    with pytest.raises(AttestationError) as caught:
        verify_attestation(quote, collateral, NOW, AttestationPolicy((INTEL_ROOT,)))
    assert caught.value.code is AttestationErrorCode.UNTRUSTED_ROOT
