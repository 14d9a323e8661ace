"""A throwaway dev PKI that mimics Intel's SGX provisioning certificate hierarchy.

Root CA → PCK Platform CA → PCK leaf (with the SGX extension: PPID, TCB components, PCESVN,
CPUSVN, PCE-ID, FMSPC, type), and Root CA → TCB Signing certificate, which signs the TCB info
and QE identity (raw r‖s ECDSA-P256 over their exact JSON bytes). CRLs exist for both issuing
CAs. The PKI is created once in a directory (``--dev-pki DIR``) that the dev chain's genesis
and every simulated worker of that network share; creation is atomic, so concurrent first
users agree on one PKI. Quotes made with it pass the unmodified dcap-qvl verifier when the dev
root is trusted, and fail under Intel's root.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from khala.attestation.der import SGX_EXTENSION_OID, sgx_extension

TCB_COMPONENTS = [2] * 16
"""The simulated platform's 16 SGX TCB component SVNs (also its CPUSVN bytes)."""
PCE_SVN = 13
"""The simulated platform's PCE security version."""
PCE_ID = b"\x00\x00"
"""PCE identifier, as on Intel platforms."""
FMSPC = bytes.fromhex("00906ED50000")
"""Family-model-stepping-platform-custom SKU of the simulated platform."""
QE_MRSIGNER = bytes.fromhex("8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFF")
"""MRSIGNER of Intel's quoting enclave (the simulated QE claims the same identity)."""
QE_ISV_SVN = 8
"""The simulated QE's security version."""
QE_ATTRIBUTES = bytes.fromhex("11000000000000000000000000000000")
"""The QE's attributes (INIT and MODE64BIT)."""
TD_QE_MRSIGNER = bytes.fromhex("DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5")
"""MRSIGNER of Intel's TD quoting enclave (the simulated TD QE claims the same identity)."""
TD_QE_ISV_SVN = 4
"""The simulated TD QE's security version."""
TEE_TCB_SVN = bytes([3, 1] + [0] * 14)
"""The simulated TDX module's TCB SVN: module SVN 3, major version 1 (identity ``TDX_01``)."""
COLLATERAL_VALIDITY = timedelta(days=30)
"""How long freshly signed collateral stays valid (like Intel's monthly TCB info)."""
ISSUE_MARGIN = timedelta(hours=1)
"""Collateral is dated this far back, so verifiers with slightly slow clocks accept it."""
_FILES = ("root", "platform", "tcb", "pck")
_NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
_NOT_AFTER = datetime(2049, 12, 31, tzinfo=UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "khala dev PKI (not Intel)"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        ]
    )


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    *,
    is_ca: bool,
    extra: list[x509.ExtensionType] | None = None,
) -> x509.Certificate:
    issuer_name = issuer[0].subject if issuer else _name(subject)
    signing_key = issuer[1] if issuer else key
    issuer_public = issuer[1].public_key() if issuer else key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_NOT_BEFORE)
        .not_valid_after(_NOT_AFTER)
        .add_extension(
            x509.BasicConstraints(
                ca=is_ca, path_length=(None if not is_ca else 1 if issuer is None else 0)
            ),
            critical=True,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=not is_ca,
                content_commitment=not is_ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public), critical=False
        )
    )
    for extension in extra or []:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def raw_signature(key: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
    """Sign with ECDSA-P256/SHA-256 and return the raw 64-byte r‖s form Intel uses."""
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _level(tcb: dict[str, object]) -> dict[str, object]:
    return {"tcb": tcb, "tcbDate": "2024-03-13T00:00:00Z", "tcbStatus": "UpToDate"}


def _tcb_info(tee: str, issued: datetime, expires: datetime) -> dict[str, object]:
    """TCB info (version 3) with one UpToDate level matching the simulated platform."""
    level: dict[str, object] = {
        "sgxtcbcomponents": [{"svn": svn} for svn in TCB_COMPONENTS],
        "pcesvn": PCE_SVN,
    }
    info: dict[str, object] = {
        "id": tee,
        "version": 3,
        "issueDate": _iso(issued),
        "nextUpdate": _iso(expires),
        "fmspc": FMSPC.hex().upper(),
        "pceId": PCE_ID.hex().upper(),
        "tcbType": 0,
        "tcbEvaluationDataNumber": 17,
    }
    if tee == "TDX":
        zero_signer = "00" * 48
        level["tdxtcbcomponents"] = [{"svn": svn} for svn in TEE_TCB_SVN]
        module = {"mrsigner": zero_signer, "attributes": "00" * 8, "attributesMask": "FF" * 8}
        info["tdxModule"] = module
        info["tdxModuleIdentities"] = [
            {
                "id": f"TDX_{TEE_TCB_SVN[1]:02}",
                **module,
                "tcbLevels": [_level({"isvsvn": TEE_TCB_SVN[0]})],
            }
        ]
    info["tcbLevels"] = [_level(level)]
    return info


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class DevPki:
    """The dev PKI's keys and certificates."""

    directory: Path
    """Where it is stored."""
    keys: dict[str, ec.EllipticCurvePrivateKey]
    """Private keys by role: root, platform, tcb, pck."""
    certificates: dict[str, x509.Certificate]
    """Certificates by role."""

    @property
    def root_der(self) -> bytes:
        """The dev root CA certificate (DER), for the dev chain's trusted roots."""
        return self.certificates["root"].public_bytes(serialization.Encoding.DER)

    def pck_chain_pem(self) -> bytes:
        """The PCK certificate chain a quote carries: leaf, platform CA, root."""
        return "".join(
            _pem(self.certificates[role]) for role in ("pck", "platform", "root")
        ).encode()

    def collateral_json(self, now_secs: int, tee: str = "SGX") -> str:
        """Return freshly signed collateral (QuoteCollateralV3 JSON) valid from about ``now``.

        ``tee`` is ``SGX`` or ``TDX``: the TCB info and QE identity differ between them.
        """
        issued = datetime.fromtimestamp(now_secs, UTC) - ISSUE_MARGIN
        expires = issued + COLLATERAL_VALIDITY
        is_tdx = tee == "TDX"
        tcb_info = json.dumps(_tcb_info(tee, issued, expires), separators=(",", ":"))
        qe_identity = json.dumps(
            {
                "id": "TD_QE" if is_tdx else "QE",
                "version": 2,
                "issueDate": _iso(issued),
                "nextUpdate": _iso(expires),
                "tcbEvaluationDataNumber": 17,
                "miscselect": "00000000",
                "miscselectMask": "FFFFFFFF",
                "attributes": QE_ATTRIBUTES.hex().upper(),
                "attributesMask": "FBFFFFFFFFFFFFFF0000000000000000",
                "mrsigner": (TD_QE_MRSIGNER if is_tdx else QE_MRSIGNER).hex().upper(),
                "isvprodid": 2 if is_tdx else 1,
                "tcbLevels": [_level({"isvsvn": TD_QE_ISV_SVN if is_tdx else QE_ISV_SVN})],
            },
            separators=(",", ":"),
        )
        tcb_key = self.keys["tcb"]
        tcb_chain = _pem(self.certificates["tcb"]) + _pem(self.certificates["root"])
        return json.dumps(
            {
                "pck_crl_issuer_chain": _pem(self.certificates["platform"])
                + _pem(self.certificates["root"]),
                "root_ca_crl": self._crl("root", issued, expires).hex(),
                "pck_crl": self._crl("platform", issued, expires).hex(),
                "tcb_info_issuer_chain": tcb_chain,
                "tcb_info": tcb_info,
                "tcb_info_signature": raw_signature(tcb_key, tcb_info.encode()).hex(),
                "qe_identity_issuer_chain": tcb_chain,
                "qe_identity": qe_identity,
                "qe_identity_signature": raw_signature(tcb_key, qe_identity.encode()).hex(),
            }
        )

    def _crl(self, issuer: str, issued: datetime, expires: datetime) -> bytes:
        certificate, key = self.certificates[issuer], self.keys[issuer]
        crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(certificate.subject)
            .last_update(issued)
            .next_update(expires)
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        return crl.public_bytes(serialization.Encoding.DER)


def _generate() -> tuple[dict[str, ec.EllipticCurvePrivateKey], dict[str, x509.Certificate]]:
    keys = {role: ec.generate_private_key(ec.SECP256R1()) for role in _FILES}
    root = _certificate("khala dev SGX Root CA", keys["root"], None, is_ca=True)
    platform = _certificate(
        "khala dev SGX PCK Platform CA", keys["platform"], (root, keys["root"]), is_ca=True
    )
    tcb = _certificate("khala dev SGX TCB Signing", keys["tcb"], (root, keys["root"]), is_ca=False)
    extension = sgx_extension(
        ppid=secrets.token_bytes(16),
        components=TCB_COMPONENTS,
        pce_svn=PCE_SVN,
        cpu_svn=bytes(TCB_COMPONENTS),
        pce_id=PCE_ID,
        fmspc=FMSPC,
    )
    pck = _certificate(
        "khala dev SGX PCK Certificate",
        keys["pck"],
        (platform, keys["platform"]),
        is_ca=False,
        extra=[x509.UnrecognizedExtension(x509.ObjectIdentifier(SGX_EXTENSION_OID), extension)],
    )
    return keys, {"root": root, "platform": platform, "tcb": tcb, "pck": pck}


def _write(
    directory: Path,
    keys: dict[str, ec.EllipticCurvePrivateKey],
    certificates: dict[str, x509.Certificate],
) -> None:
    for role in _FILES:
        key_path = directory / f"{role}.key"
        key_path.write_bytes(
            keys[role].private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_path.chmod(0o600)
        (directory / f"{role}.pem").write_bytes(
            certificates[role].public_bytes(serialization.Encoding.PEM)
        )


def _create(directory: Path) -> None:
    """Generate a PKI in a staging directory and rename it into place (atomic).

    If another process created the PKI meanwhile, its PKI wins and ours is discarded.
    """
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dev-pki-", dir=directory.parent))
    keys, certificates = _generate()
    _write(staging, keys, certificates)
    try:
        os.rename(staging, directory)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (directory / "root.pem").exists():
            raise ValueError(
                f"{directory} exists but holds no dev PKI; choose an empty or missing directory"
            ) from None


def load_or_create(directory: Path) -> DevPki:
    """Load the dev PKI in ``directory``, creating it atomically on first use.

    Raises:
        ValueError: When the directory exists with other content, or a key file is not ECDSA.
    """
    if not (directory / "root.pem").exists():
        _create(directory)
    keys: dict[str, ec.EllipticCurvePrivateKey] = {}
    for role in _FILES:
        key = serialization.load_pem_private_key((directory / f"{role}.key").read_bytes(), None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{directory / role}.key is not an ECDSA key")
        keys[role] = key
    certificates = {
        role: x509.load_pem_x509_certificate((directory / f"{role}.pem").read_bytes())
        for role in _FILES
    }
    return DevPki(directory, keys, certificates)
