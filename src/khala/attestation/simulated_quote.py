"""Real-format SGX v3 and TDX v4 ECDSA quotes signed by the dev PKI (the simulated QE).

Layout (all integers little-endian)::

    header (48)        version=3, attestation key type=2 (ECDSA P-256), TEE type=0,
                       QE SVN, PCE SVN, QE vendor id (16), user data (20)
    report body (384)  the enclave's report: CPUSVN, MISCSELECT, ATTRIBUTES, MRENCLAVE,
                       MRSIGNER, ISVPRODID, ISVSVN, REPORTDATA (64) ...
    signature length (4), then:
      ECDSA signature (64)      attestation key over header ‖ report body
      attestation key (64)      x ‖ y
      QE report body (384)      REPORTDATA = SHA-256(attestation key ‖ QE auth data) ‖ 0³²
      QE report signature (64)  PCK leaf key over the QE report body
      QE auth data              u16 length ‖ bytes
      certification data        u16 type 5 (PCK chain PEM) ‖ u32 length ‖ leaf, platform CA, root
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from khala import __version__
from khala.attestation.dev_pki import (
    PCE_SVN,
    QE_ATTRIBUTES,
    QE_ISV_SVN,
    QE_MRSIGNER,
    TCB_COMPONENTS,
    TD_QE_ISV_SVN,
    TD_QE_MRSIGNER,
    TEE_TCB_SVN,
    DevPki,
    raw_signature,
)
from khala.attestation.types import SgxMeasurement
from khala.primitives.hashing import blake2_256

INTEL_QE_VENDOR_ID = bytes.fromhex("939A7233F79C4CA9940A0DB3957F0607")
"""The QE vendor id of Intel's quoting enclave, which verifiers require."""
QUOTE_VERSION = 3
"""SGX ECDSA quote version."""
ECDSA_P256 = 2
"""Attestation key type: ECDSA-256 with P-256."""
PCK_CHAIN_CERT_TYPE = 5
"""Certification data type: concatenated PEM PCK certificate chain."""
QE_AUTH_DATA = bytes(range(32))
"""Authentication data the simulated QE binds into its report (Intel's QE uses 32 bytes)."""


SIMULATED_MR_SIGNER = blake2_256(b"khala simulated enclave signer")
"""MRSIGNER of simulated workers."""
SIMULATED_PROD_ID = 1
"""ISV product id of the worker runtime."""
SIMULATED_SVN = 1
"""ISV security version of the worker runtime."""


def simulated_measurement(version: str = __version__) -> SgxMeasurement:
    """The measurement a simulated worker of ``version`` reports (dev genesis allows it)."""
    return SgxMeasurement(
        blake2_256(f"khala simulated pRuntime {version}".encode()),
        SIMULATED_MR_SIGNER,
        SIMULATED_PROD_ID,
        SIMULATED_SVN,
    )


@dataclass(frozen=True, slots=True)
class EnclaveReport:
    """The fields of an SGX report body the simulated enclave controls."""

    mr_enclave: bytes
    """32-byte measurement of the enclave."""
    mr_signer: bytes
    """32-byte hash of the signer's key."""
    isv_prod_id: int
    """Product id."""
    isv_svn: int
    """Security version."""
    report_data: bytes
    """64 bytes chosen by the enclave (binds the registration)."""
    attributes: bytes = bytes.fromhex("05000000000000000700000000000000")
    """Enclave attributes: INIT and MODE64BIT (0x05; the DEBUG bit 0x02 must stay off, verifiers
    reject debug enclaves), XFRM x87/SSE/AVX."""


def report_body(report: EnclaveReport, *, cpu_svn: bytes = bytes(TCB_COMPONENTS)) -> bytes:
    """Encode a 384-byte SGX report body."""
    if len(report.report_data) != 64 or len(report.mr_enclave) != 32 or len(report.mr_signer) != 32:
        raise ValueError("report data is 64 bytes; MRENCLAVE and MRSIGNER are 32")
    return (
        cpu_svn
        + struct.pack("<I", 0)
        + bytes(28)
        + report.attributes
        + report.mr_enclave
        + bytes(32)
        + report.mr_signer
        + bytes(96)
        + struct.pack("<HH", report.isv_prod_id, report.isv_svn)
        + bytes(60)
        + report.report_data
    )


def sgx_quote(
    pki: DevPki, report: EnclaveReport, attestation_key: ec.EllipticCurvePrivateKey
) -> bytes:
    """Build and sign an SGX v3 quote of ``report`` with the dev PKI."""
    header = struct.pack(
        "<HHIHH16s20s",
        QUOTE_VERSION,
        ECDSA_P256,
        0,
        QE_ISV_SVN,
        PCE_SVN,
        INTEL_QE_VENDOR_ID,
        bytes(20),
    )
    body = report_body(report)
    isv_signature = raw_signature(attestation_key, header + body)
    point = attestation_key.public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint
    )[1:]
    qe_report_data = hashlib.sha256(point + QE_AUTH_DATA).digest() + bytes(32)
    qe_body = report_body(
        EnclaveReport(
            mr_enclave=hashlib.sha256(b"khala simulated quoting enclave").digest(),
            mr_signer=QE_MRSIGNER,
            isv_prod_id=1,
            isv_svn=QE_ISV_SVN,
            report_data=qe_report_data,
            attributes=QE_ATTRIBUTES,
        )
    )
    qe_signature = raw_signature(pki.keys["pck"], qe_body)
    chain = pki.pck_chain_pem()
    signature_data = (
        isv_signature
        + point
        + qe_body
        + qe_signature
        + struct.pack("<H", len(QE_AUTH_DATA))
        + QE_AUTH_DATA
        + struct.pack("<HI", PCK_CHAIN_CERT_TYPE, len(chain))
        + chain
    )
    return header + body + struct.pack("<I", len(signature_data)) + signature_data


TDX_QUOTE_VERSION = 4
"""TDX quote version."""
TDX_TEE_TYPE = 0x81
"""TEE type of TDX in the quote header."""
QE_REPORT_CERT_TYPE = 6
"""Certification data type: QE report certification data (QE report, signature, auth data,
and a nested PCK chain)."""
TD_ATTRIBUTES = bytes.fromhex("0000001000000000")
"""TD attributes: debug off, SEPT_VE_DISABLE (bit 28) on, which verifiers require."""
TDX_XFAM = bytes.fromhex("e702060000000000")
"""Extended features the simulated TD enables (x87, SSE, AVX, AVX-512, PKRU)."""


@dataclass(frozen=True, slots=True)
class TdReport:
    """The fields of a TD report (1.0) the simulated TD controls."""

    mr_td: bytes
    """48-byte measurement of the initial TD."""
    rt_mrs: tuple[bytes, bytes, bytes, bytes]
    """RTMR0-3, 48 bytes each."""
    report_data: bytes
    """64 bytes chosen by the TD."""


def td_report_body(report: TdReport) -> bytes:
    """Encode a 584-byte TD report body (SEAM signer zero, as Intel's TDX module)."""
    sizes_ok = len(report.mr_td) == 48 and all(len(item) == 48 for item in report.rt_mrs)
    if not sizes_ok or len(report.report_data) != 64:
        raise ValueError("MRTD and RTMRs are 48 bytes; report data is 64")
    return (
        TEE_TCB_SVN
        + bytes(48)  # MRSEAM
        + bytes(48)  # MRSIGNERSEAM
        + bytes(8)  # SEAMATTRIBUTES
        + TD_ATTRIBUTES
        + TDX_XFAM
        + report.mr_td
        + bytes(48 * 3)  # MRCONFIGID, MROWNER, MROWNERCONFIG
        + b"".join(report.rt_mrs)
        + report.report_data
    )


def tdx_quote(pki: DevPki, report: TdReport, attestation_key: ec.EllipticCurvePrivateKey) -> bytes:
    """Build and sign a TDX v4 quote of ``report`` with the dev PKI."""
    header = struct.pack(
        "<HHIHH16s20s",
        TDX_QUOTE_VERSION,
        ECDSA_P256,
        TDX_TEE_TYPE,
        0,
        0,
        INTEL_QE_VENDOR_ID,
        bytes(20),
    )
    body = td_report_body(report)
    signature = raw_signature(attestation_key, header + body)
    point = attestation_key.public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint
    )[1:]
    qe_body = report_body(
        EnclaveReport(
            mr_enclave=hashlib.sha256(b"khala simulated TD quoting enclave").digest(),
            mr_signer=TD_QE_MRSIGNER,
            isv_prod_id=2,
            isv_svn=TD_QE_ISV_SVN,
            report_data=hashlib.sha256(point + QE_AUTH_DATA).digest() + bytes(32),
            attributes=QE_ATTRIBUTES,
        )
    )
    chain = pki.pck_chain_pem()
    qe_certification = (
        qe_body
        + raw_signature(pki.keys["pck"], qe_body)
        + struct.pack("<H", len(QE_AUTH_DATA))
        + QE_AUTH_DATA
        + struct.pack("<HI", PCK_CHAIN_CERT_TYPE, len(chain))
        + chain
    )
    certification = (
        struct.pack("<HI", QE_REPORT_CERT_TYPE, len(qe_certification)) + qe_certification
    )
    auth_data = signature + point + certification
    return header + body + struct.pack("<I", len(auth_data)) + auth_data
