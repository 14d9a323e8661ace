"""Enclave backends seal, unseal and quote; corrupt seals and missing platforms are typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from khala.attestation.dev_pki import load_or_create
from khala.attestation.policy import AttestationPolicy, verify_attestation
from khala.attestation.types import SgxMeasurement
from khala.enclave.backend import EnclaveError, EnclaveErrorCode
from khala.enclave.gramine import GramineSgxEnclave
from khala.enclave.simulated import SimulatedEnclave, simulated_measurement
from khala.worker.identity import KEYS_FILE, load_or_create_keys

NOW = 1_800_000_000


def _simulated(tmp_path: Path, machine: str = "machine.key") -> SimulatedEnclave:
    return SimulatedEnclave(tmp_path / machine, tmp_path / "pki", lambda: NOW)


def test_simulated_seal_roundtrip_and_foreign_machine(tmp_path: Path) -> None:
    """Sealed data opens on the same machine key and label only."""
    enclave = _simulated(tmp_path)
    sealed = enclave.seal(b"secret", b"label")
    assert enclave.unseal(sealed, b"label") == b"secret"
    for other, label in ((_simulated(tmp_path, "other.key"), b"label"), (enclave, b"other")):
        with pytest.raises(EnclaveError) as caught:
            other.unseal(sealed, label)
        assert caught.value.code is EnclaveErrorCode.SEAL_CORRUPT


def test_simulated_quote_verifies_under_the_dev_root(tmp_path: Path) -> None:
    """The simulated enclave's quote carries its measurement and REPORTDATA."""
    enclave = _simulated(tmp_path)
    quote = enclave.quote(b"\x42" * 64)
    assert quote.collateral_json is not None
    root = load_or_create(tmp_path / "pki").root_der
    verified = verify_attestation(
        quote.quote, quote.collateral_json, NOW, AttestationPolicy((root,))
    )
    assert verified.measurement == simulated_measurement() == enclave.measurement()
    assert verified.report_data == b"\x42" * 64
    with pytest.raises(EnclaveError) as caught:
        enclave.quote(b"short")
    assert caught.value.code is EnclaveErrorCode.BAD_REPORT_DATA


def test_worker_keys_persist_and_corruption_is_an_error(tmp_path: Path) -> None:
    """Keys are created once and reloaded; a corrupt seal never becomes a new identity."""
    enclave = _simulated(tmp_path)
    keys, created = load_or_create_keys(enclave, tmp_path / "worker")
    again, created_again = load_or_create_keys(_simulated(tmp_path), tmp_path / "worker")
    assert created and not created_again
    assert (
        again.identity.public_key == keys.identity.public_key
        and again.ecdh_public == keys.ecdh_public
    )
    sealed = tmp_path / "worker" / KEYS_FILE
    damaged = bytearray(sealed.read_bytes())
    damaged[-1] ^= 1
    sealed.write_bytes(bytes(damaged))
    with pytest.raises(EnclaveError) as caught:
        load_or_create_keys(enclave, tmp_path / "worker")
    assert caught.value.code is EnclaveErrorCode.SEAL_CORRUPT
    assert str(tmp_path) in caught.value.message


def _fake_gramine(root: Path, quote: bytes, kind: str = "dcap") -> Path:
    (root / "keys").mkdir(parents=True)
    (root / "attestation_type").write_text(kind)
    (root / "keys" / "_sgx_mrenclave").write_bytes(b"\x07" * 16)
    (root / "quote").write_bytes(quote)
    return root


def test_gramine_backend_uses_the_attestation_files(tmp_path: Path) -> None:
    """Report data goes to user_report_data, the quote comes back, the measurement is parsed."""
    simulated = _simulated(tmp_path)
    raw = simulated.quote(b"\x00" * 64).quote
    directory = _fake_gramine(tmp_path / "attestation", raw)
    enclave = GramineSgxEnclave(directory)
    assert isinstance(enclave.measurement(), SgxMeasurement)
    assert enclave.measurement() == simulated.measurement()
    result = enclave.quote(b"\x01" * 64)
    assert (directory / "user_report_data").read_bytes() == b"\x01" * 64
    assert result.quote == raw and result.collateral_json is None
    assert enclave.unseal(enclave.seal(b"x", b"l"), b"l") == b"x"


def test_gramine_backend_refuses_missing_or_non_dcap(tmp_path: Path) -> None:
    """Outside Gramine, or with EPID attestation, the backend says what to configure."""
    with pytest.raises(EnclaveError) as caught:
        GramineSgxEnclave(tmp_path / "nothing")
    assert caught.value.code is EnclaveErrorCode.ATTESTATION_UNAVAILABLE
    directory = _fake_gramine(tmp_path / "epid", b"", kind="epid")
    with pytest.raises(EnclaveError) as caught:
        GramineSgxEnclave(directory)
    assert "dcap" in caught.value.message
