"""What a verified attestation tells: TEE type, TCB status, confidence, measurement, data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Annotated

from khala.primitives.scale import H256, U8, U16, Length, ScaleEnum, variant


class TcbStatus(IntEnum):
    """TCB statuses a policy can accept (values are stable for on-chain policy storage)."""

    UP_TO_DATE = 0
    """Fully patched."""
    SW_HARDENING_NEEDED = 1
    """Patched, but software mitigations are needed for some advisories."""
    CONFIGURATION_NEEDED = 2
    """Patched, but the platform configuration needs changes."""
    CONFIGURATION_AND_SW_HARDENING_NEEDED = 3
    """Both of the above."""
    OUT_OF_DATE = 4
    """Missing security updates."""
    OUT_OF_DATE_CONFIGURATION_NEEDED = 5
    """Missing updates and configuration."""


STATUS_NAMES = {
    "UpToDate": TcbStatus.UP_TO_DATE,
    "SWHardeningNeeded": TcbStatus.SW_HARDENING_NEEDED,
    "ConfigurationNeeded": TcbStatus.CONFIGURATION_NEEDED,
    "ConfigurationAndSWHardeningNeeded": TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED,
    "OutOfDate": TcbStatus.OUT_OF_DATE,
    "OutOfDateConfigurationNeeded": TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED,
}
"""dcap-qvl's status strings."""


class Measurement(ScaleEnum):
    """What code runs in the enclave, as the governance allow-list records it."""


@variant(0)
@dataclass(frozen=True, slots=True)
class SgxMeasurement(Measurement):
    """An SGX enclave: MRENCLAVE, MRSIGNER, ISV product id and SVN."""

    mr_enclave: H256
    """Hash of the enclave's code and initial data."""
    mr_signer: H256
    """Hash of the enclave signer's public key."""
    isv_prod_id: U16
    """Product id chosen by the signer."""
    isv_svn: U16
    """Security version of the enclave."""


@variant(1)
@dataclass(frozen=True, slots=True)
class TdxMeasurement(Measurement):
    """A TDX trust domain: MRTD and RTMR0-3."""

    mr_td: Annotated[bytes, Length(48)]
    """Measurement of the initial TD image."""
    rt_mr0: Annotated[bytes, Length(48)]
    """Runtime measurement register 0 (firmware)."""
    rt_mr1: Annotated[bytes, Length(48)]
    """Runtime measurement register 1 (kernel)."""
    rt_mr2: Annotated[bytes, Length(48)]
    """Runtime measurement register 2 (kernel command line, initrd)."""
    rt_mr3: Annotated[bytes, Length(48)]
    """Runtime measurement register 3 (application)."""


@dataclass(frozen=True, slots=True)
class VerifiedAttestation:
    """A quote that passed signature, collateral and policy checks."""

    tee: str
    """``SGX`` or ``TDX``."""
    status: TcbStatus
    """The platform's TCB status."""
    advisories: tuple[str, ...]
    """Intel security advisories that apply."""
    confidence: U8
    """1 (best) to 5, see :func:`confidence_level`."""
    measurement: Measurement
    """What runs in the enclave."""
    report_data: bytes
    """The 64 bytes of REPORTDATA the enclave chose."""
