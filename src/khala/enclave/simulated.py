"""The simulated enclave: real keys and real-format quotes, without a TEE (dev and tests).

Sealing keys derive from a machine key file (created on first use, mode 0600) and the
simulated MRENCLAVE, so sealed data opens only with the same file and code version. Quotes come
from the dev PKI and verify only on chains whose genesis trusts that PKI's root.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from khala import __version__
from khala.attestation.dev_pki import DevPki, load_or_create
from khala.attestation.simulated_quote import EnclaveReport, sgx_quote, simulated_measurement
from khala.attestation.types import Measurement
from khala.enclave import sealing
from khala.enclave.backend import EnclaveError, EnclaveErrorCode, Quote


class SimulatedEnclave:
    """An :class:`~khala.enclave.backend.EnclaveBackend` without hardware."""

    def __init__(
        self,
        machine_key_file: Path,
        dev_pki_dir: Path,
        clock_secs: Callable[[], int],
        version: str = __version__,
    ) -> None:
        """Use (or create) the machine key and the dev PKI."""
        self._measurement = simulated_measurement(version)
        self._key = sealing.sealing_key(
            _machine_secret(machine_key_file), self._measurement.mr_enclave
        )
        self._where = str(machine_key_file.parent)
        self._pki: DevPki = load_or_create(dev_pki_dir)
        self._attestation_key = ec.generate_private_key(ec.SECP256R1())
        self._clock_secs = clock_secs

    def measurement(self) -> Measurement:
        """The simulated measurement."""
        return self._measurement

    def seal(self, plaintext: bytes, label: bytes) -> bytes:
        """Seal under the machine key."""
        return sealing.seal(self._key, plaintext, label, os.urandom(sealing.NONCE_LENGTH))

    def unseal(self, sealed: bytes, label: bytes) -> bytes:
        """Open data sealed on this machine by this code version."""
        return sealing.unseal(self._key, sealed, label, self._where)

    def quote(self, report_data: bytes) -> Quote:
        """A dev-PKI quote with freshly signed collateral."""
        if len(report_data) != 64:
            raise EnclaveError(EnclaveErrorCode.BAD_REPORT_DATA, "report data must be 64 bytes")
        measurement = self._measurement
        report = EnclaveReport(
            measurement.mr_enclave,
            measurement.mr_signer,
            measurement.isv_prod_id,
            measurement.isv_svn,
            report_data,
        )
        raw = sgx_quote(self._pki, report, self._attestation_key)
        return Quote("sgx-dcap", raw, self._pki.collateral_json(self._clock_secs()))

    def random(self, size: int) -> bytes:
        """OS randomness."""
        return os.urandom(size)


def _machine_secret(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(os.urandom(32))
    secret = path.read_bytes()
    if len(secret) != 32:
        raise EnclaveError(
            EnclaveErrorCode.SEAL_CORRUPT,
            f"machine key {path} must hold 32 bytes; restore it from a backup",
        )
    return secret
