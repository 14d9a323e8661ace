"""The Gramine SGX backend: quotes and sealing keys through Gramine's ``/dev/attestation``.

Gramine exposes attestation as files: write 64 bytes to ``user_report_data``, read the DCAP
quote from ``quote``; ``attestation_type`` must say ``dcap``; ``keys/_sgx_mrenclave`` holds a
128-bit key bound to this enclave's MRENCLAVE on this CPU. Collateral is not available inside
the enclave: the worker fetches it from a PCCS. This backend only runs inside Gramine; tests use
a fake directory with the same layout.
"""

from __future__ import annotations

import os
from pathlib import Path

from khala.attestation.types import Measurement, SgxMeasurement
from khala.enclave import sealing
from khala.enclave.backend import EnclaveError, EnclaveErrorCode, Quote

DEFAULT_ATTESTATION_DIR = Path("/dev/attestation")
"""Where Gramine mounts its attestation pseudo-files."""
HEADER_LENGTH = 48
"""SGX quote header size; the report body follows it."""


class GramineSgxEnclave:
    """An :class:`~khala.enclave.backend.EnclaveBackend` on Gramine-SGX."""

    def __init__(self, attestation_dir: Path = DEFAULT_ATTESTATION_DIR) -> None:
        """Check the attestation interface and read the sealing key.

        Raises:
            EnclaveError: ``enclave.attestation_unavailable`` outside Gramine or without DCAP.
        """
        self._dir = attestation_dir
        try:
            kind = (attestation_dir / "attestation_type").read_text().strip()
            base_key = (attestation_dir / "keys" / "_sgx_mrenclave").read_bytes()
        except OSError as error:
            raise EnclaveError(
                EnclaveErrorCode.ATTESTATION_UNAVAILABLE,
                f"{attestation_dir} is not usable ({error.strerror}); run under Gramine-SGX or use "
                "--enclave simulated",
            ) from None
        if kind != "dcap":
            raise EnclaveError(
                EnclaveErrorCode.ATTESTATION_UNAVAILABLE,
                f'Gramine attestation type is {kind!r}; configure sgx.remote_attestation = "dcap"',
            )
        self._measurement = self._measure()
        self._key = sealing.sealing_key(base_key, b"gramine")

    def _quote_bytes(self, report_data: bytes) -> bytes:
        (self._dir / "user_report_data").write_bytes(report_data)
        return (self._dir / "quote").read_bytes()

    def _measure(self) -> SgxMeasurement:
        body = self._quote_bytes(bytes(64))[HEADER_LENGTH : HEADER_LENGTH + 384]
        return SgxMeasurement(
            body[64:96],
            body[128:160],
            int.from_bytes(body[256:258], "little"),
            int.from_bytes(body[258:260], "little"),
        )

    def measurement(self) -> Measurement:
        """MRENCLAVE, MRSIGNER, product id and SVN read from a quote of this enclave."""
        return self._measurement

    def seal(self, plaintext: bytes, label: bytes) -> bytes:
        """Seal under the MRENCLAVE-bound key."""
        return sealing.seal(self._key, plaintext, label, os.urandom(sealing.NONCE_LENGTH))

    def unseal(self, sealed: bytes, label: bytes) -> bytes:
        """Open data sealed by this enclave on this CPU."""
        return sealing.unseal(self._key, sealed, label, str(self._dir))

    def quote(self, report_data: bytes) -> Quote:
        """Ask Gramine for a DCAP quote over ``report_data``."""
        if len(report_data) != 64:
            raise EnclaveError(EnclaveErrorCode.BAD_REPORT_DATA, "report data must be 64 bytes")
        return Quote("sgx-dcap", self._quote_bytes(report_data), None)

    def random(self, size: int) -> bytes:
        """RDRAND-backed randomness (Gramine's getrandom)."""
        return os.urandom(size)
