"""The enclave interface every backend implements, and its errors."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from khala.attestation.types import Measurement
from khala.errors import KhalaError


class EnclaveErrorCode(StrEnum):
    """Codes of :class:`EnclaveError`."""

    SEAL_CORRUPT = "enclave.seal_corrupt"
    """Sealed data does not open: corrupted, or sealed by another enclave or machine."""
    ATTESTATION_UNAVAILABLE = "enclave.attestation_unavailable"
    """The platform's attestation interface is missing or not DCAP."""
    BAD_REPORT_DATA = "enclave.bad_report_data"
    """Report data must be exactly 64 bytes."""


class EnclaveError(KhalaError):
    """The enclave backend cannot do what was asked."""


@dataclass(frozen=True, slots=True)
class Quote:
    """A quote and, when the backend can produce it, its collateral."""

    provider: str
    """``sgx-dcap`` or ``tdx-dcap``."""
    quote: bytes
    """The raw quote."""
    collateral_json: str | None
    """QuoteCollateralV3 JSON, or None when it must be fetched from a PCCS."""


class EnclaveBackend(Protocol):
    """What a TEE gives a worker."""

    def measurement(self) -> Measurement:
        """What this enclave's code measures as."""
        ...

    def seal(self, plaintext: bytes, label: bytes) -> bytes:
        """Encrypt data so only this enclave on this machine can open it."""
        ...

    def unseal(self, sealed: bytes, label: bytes) -> bytes:
        """Open sealed data.

        Raises:
            EnclaveError: ``enclave.seal_corrupt``.
        """
        ...

    def quote(self, report_data: bytes) -> Quote:
        """Return a quote whose REPORTDATA is ``report_data`` (64 bytes)."""
        ...

    def random(self, size: int) -> bytes:
        """Return ``size`` bytes from the enclave's random source."""
        ...
