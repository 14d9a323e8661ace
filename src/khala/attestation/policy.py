"""Verify a DCAP quote under a governance policy.

dcap-qvl checks the quote's signatures, the PCK certificate chain up to a trusted root, the CRLs
and the TCB info and QE identity signed by the TCB signing key, all at an explicit ``now``; this
module adds the policy: which roots are trusted, which TCB statuses are accepted, which
advisories are tolerated, and turns the result into a confidence level:

==============================================  ==========
TCB status                                      confidence
==============================================  ==========
UpToDate                                        1
SWHardeningNeeded                               2
ConfigurationNeeded, ConfigurationAndSWHard...  3
any of the above with an advisory not allowed   4
OutOfDate, OutOfDateConfigurationNeeded         5 (only if the policy accepts them)
anything else                                   rejected
==============================================  ==========
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

import dcap_qvl

from khala.attestation.errors import AttestationError, AttestationErrorCode
from khala.attestation.types import (
    STATUS_NAMES,
    Measurement,
    SgxMeasurement,
    TcbStatus,
    TdxMeasurement,
    VerifiedAttestation,
)

DEFAULT_ACCEPTED = frozenset(
    {
        TcbStatus.UP_TO_DATE,
        TcbStatus.SW_HARDENING_NEEDED,
        TcbStatus.CONFIGURATION_NEEDED,
        TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED,
    }
)
"""Statuses accepted unless governance says otherwise (OutOfDate platforms are not)."""
INTEL_ROOT = b""
"""Marker in ``trusted_roots`` for Intel's SGX Root CA as built into dcap-qvl (production)."""
_BASE_CONFIDENCE = {
    TcbStatus.UP_TO_DATE: 1,
    TcbStatus.SW_HARDENING_NEEDED: 2,
    TcbStatus.CONFIGURATION_NEEDED: 3,
    TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED: 3,
    TcbStatus.OUT_OF_DATE: 5,
    TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED: 5,
}


@dataclass(frozen=True, slots=True)
class AttestationPolicy:
    """What governance accepts."""

    trusted_roots: tuple[bytes, ...]
    """DER root CA certificates; :data:`INTEL_ROOT` stands for Intel's (production chains),
    the dev PKI's root is trusted on dev chains."""
    accepted_statuses: frozenset[TcbStatus] = DEFAULT_ACCEPTED
    """TCB statuses that may register."""
    advisory_allowlist: frozenset[str] = field(default_factory=frozenset)
    """Advisories tolerated without lowering confidence to 4."""


def confidence_level(
    status: TcbStatus, advisories: tuple[str, ...], allowlist: frozenset[str]
) -> int:
    """Return the confidence level of a TCB status (see the module table)."""
    base = _BASE_CONFIDENCE[status]
    if base <= 3 and any(advisory not in allowlist for advisory in advisories):
        return 4
    return base


def collateral_window(collateral_json: str) -> tuple[str | None, str | None]:
    """Return (latest issue date, earliest next update) of the TCB info and QE identity."""
    try:
        document = json.loads(collateral_json)
        dated = [json.loads(document["tcb_info"]), json.loads(document["qe_identity"])]
        issued = max(item["issueDate"] for item in dated)
        expires = min(item["nextUpdate"] for item in dated)
    except (ValueError, KeyError, TypeError):
        return None, None
    return issued, expires


def _at(now_secs: int) -> str:
    return datetime.fromtimestamp(now_secs, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _classify(message: str, collateral_json: str, now_secs: int) -> AttestationError:
    issued, expires = collateral_window(collateral_json)
    lowered = message.lower()
    if "decode quote" in lowered or "unsupported quote" in lowered:
        return AttestationError(
            AttestationErrorCode.MALFORMED_QUOTE,
            f"not an SGX v3 or TDX v4 quote ({message.splitlines()[-1].strip()})",
        )
    if "expired" in lowered or "next update" in lowered:
        return AttestationError(
            AttestationErrorCode.COLLATERAL_EXPIRED,
            f"collateral expired at {expires or 'its next update'} (verifying at {_at(now_secs)}); "
            "refresh it from a PCCS",
        )
    if "in the future" in lowered or "not yet valid" in lowered:
        return AttestationError(
            AttestationErrorCode.COLLATERAL_NOT_YET_VALID,
            f"collateral was issued at {issued or 'a later time'}, after {_at(now_secs)}; "
            "check the verifier's clock or use older collateral",
        )
    if "no matching tcb level" in lowered:
        return AttestationError(
            AttestationErrorCode.NO_TCB_LEVEL,
            "the platform's TCB is below every level Intel lists (no matching TCB level); "
            "update the platform's microcode and firmware",
        )
    if "root ca" in lowered or "crl" in lowered or "chain" in lowered or "issuer" in lowered:
        return AttestationError(
            AttestationErrorCode.UNTRUSTED_ROOT,
            f"the certificate chain does not end at a trusted root CA ({message}); use "
            "collateral from this network's PCCS or ask governance to trust the root",
        )
    if "signature" in lowered:
        return AttestationError(
            AttestationErrorCode.INVALID_SIGNATURE,
            f"{message}: the quote or collateral was altered or signed by other keys",
        )
    return AttestationError(AttestationErrorCode.VERIFICATION_FAILED, message)


def measurement_of(report: dict[str, object]) -> tuple[str, Measurement, bytes]:
    """Return (tee, measurement, report data) from dcap-qvl's verified report JSON."""
    if "SgxEnclave" in report:
        body = cast(dict[str, str], report["SgxEnclave"])
        measurement: Measurement = SgxMeasurement(
            bytes.fromhex(body["mr_enclave"]),
            bytes.fromhex(body["mr_signer"]),
            int(body["isv_prod_id"]),
            int(body["isv_svn"]),
        )
        return "SGX", measurement, bytes.fromhex(body["report_data"])
    body = cast(dict[str, str], next(iter(report.values())))
    measurement = TdxMeasurement(
        bytes.fromhex(body["mr_td"]),
        bytes.fromhex(body["rt_mr0"]),
        bytes.fromhex(body["rt_mr1"]),
        bytes.fromhex(body["rt_mr2"]),
        bytes.fromhex(body["rt_mr3"]),
    )
    return "TDX", measurement, bytes.fromhex(body["report_data"])


def verify_attestation(
    quote: bytes, collateral_json: str, now_secs: int, policy: AttestationPolicy
) -> VerifiedAttestation:
    """Verify a quote and its collateral at ``now_secs`` under ``policy``.

    Raises:
        AttestationError: With the reason and what to fix.
    """
    try:
        collateral = dcap_qvl.QuoteCollateralV3.from_json(collateral_json)
    except (ValueError, TypeError) as error:
        raise AttestationError(
            AttestationErrorCode.MALFORMED_COLLATERAL,
            f"collateral is not QuoteCollateralV3 JSON: {error}",
        ) from None
    if not policy.trusted_roots:
        raise AttestationError(AttestationErrorCode.UNTRUSTED_ROOT, "the policy trusts no root CA")
    failure: AttestationError | None = None
    for root in policy.trusted_roots:
        try:
            if root == INTEL_ROOT:
                report = dcap_qvl.verify(quote, collateral, now_secs)
            else:
                report = dcap_qvl.verify_with_root_ca(quote, collateral, root, now_secs)
        except ValueError as error:
            classified = _classify(str(error), collateral_json, now_secs)
            if failure is None or failure.code is AttestationErrorCode.UNTRUSTED_ROOT:
                failure = classified
            continue
        return _apply_policy(report, policy)
    raise failure or AttestationError(AttestationErrorCode.UNTRUSTED_ROOT, "no root verified")


def _apply_policy(
    report: dcap_qvl.VerifiedReport, policy: AttestationPolicy
) -> VerifiedAttestation:
    status = STATUS_NAMES.get(report.status)
    if status is None or status not in policy.accepted_statuses:
        accepted = sorted(
            name for name, value in STATUS_NAMES.items() if value in policy.accepted_statuses
        )
        raise AttestationError(
            AttestationErrorCode.TCB_REJECTED,
            f"TCB level {report.status} is below the policy (accepted: {', '.join(accepted)}); "
            "update the platform",
        )
    advisories = tuple(report.advisory_ids)
    tee, measurement, report_data = measurement_of(json.loads(report.to_json())["report"])
    return VerifiedAttestation(
        tee,
        status,
        advisories,
        confidence_level(status, advisories, policy.advisory_allowlist),
        measurement,
        report_data,
    )


def check_measurement(attestation: VerifiedAttestation, allowed: list[Measurement]) -> None:
    """Require the attested measurement to be on the allow-list.

    Raises:
        AttestationError: ``attestation.measurement_not_allowed``.
    """
    if attestation.measurement not in allowed:
        measured = attestation.measurement
        shown = (
            measured.mr_enclave.hex()
            if isinstance(measured, SgxMeasurement)
            else measured.mr_td.hex()  # type: ignore[attr-defined]
        )
        raise AttestationError(
            AttestationErrorCode.MEASUREMENT_NOT_ALLOWED,
            f"measurement 0x{shown} is not on the allow-list; governance must add it first",
        )
