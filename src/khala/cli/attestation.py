"""``khala attestation``: verify DCAP quotes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from khala.attestation.policy import INTEL_ROOT, AttestationPolicy, verify_attestation
from khala.attestation.types import SgxMeasurement, TdxMeasurement
from khala.cli.output import emit, read_file, reported_errors

app = typer.Typer(
    help="Verify remote attestation quotes.", no_args_is_help=True, rich_markup_mode="markdown"
)


def _measurement_json(measurement: object) -> dict[str, Any]:
    if isinstance(measurement, SgxMeasurement):
        return {
            "mr_enclave": "0x" + measurement.mr_enclave.hex(),
            "mr_signer": "0x" + measurement.mr_signer.hex(),
            "isv_prod_id": measurement.isv_prod_id,
            "isv_svn": measurement.isv_svn,
        }
    if isinstance(measurement, TdxMeasurement):
        return {
            name: "0x" + getattr(measurement, name).hex()
            for name in ("mr_td", "rt_mr0", "rt_mr1", "rt_mr2", "rt_mr3")
        }
    return {}


@app.command("verify")
def verify(
    quote_file: Path = typer.Argument(..., help="The raw quote (binary)."),
    collateral: Path = typer.Option(
        ..., "--collateral", help="QuoteCollateralV3 JSON for the quote."
    ),
    at: int | None = typer.Option(None, "--at", help="Verify as of this Unix time (default: now)."),
    root_ca: Path | None = typer.Option(
        None,
        "--root-ca",
        help="Trust this root CA (PEM) instead of Intel's, e.g. a dev PKI's root.pem.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Verify an SGX or TDX quote: status, confidence, measurement and report data, or why not.

    Example: `khala attestation verify quote.bin --collateral collateral.json --at 1750400000`
    """
    with reported_errors(as_json=as_json):
        root = INTEL_ROOT
        if root_ca is not None:
            root = x509.load_pem_x509_certificate(read_file(root_ca)).public_bytes(Encoding.DER)
        now = int(time.time()) if at is None else at
        verified = verify_attestation(
            read_file(quote_file), read_file(collateral).decode(), now, AttestationPolicy((root,))
        )
        payload = {
            "tee": verified.tee,
            "status": verified.status.name,
            "advisories": list(verified.advisories),
            "confidence": verified.confidence,
            "measurement": _measurement_json(verified.measurement),
            "report_data": "0x" + verified.report_data.hex(),
            "verified_at": now,
        }
        emit(
            payload,
            as_json=as_json,
            text=lambda: "\n".join(f"{key:12} {value}" for key, value in payload.items()),
        )
