"""Attestation benchmark: quote verifications through our policy layer next to bare dcap-qvl.

Both verify the same simulated SGX quote with the same collateral and root, interleaved in
the same run; the ratio shows what the policy layer (parsing, classification, measurement
extraction) costs. Registrations per block follow from the verification rate and the block
time, since a registration's cost is dominated by its quote verification.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import dcap_qvl
from cryptography.hazmat.primitives.asymmetric import ec

from khala.attestation.dev_pki import load_or_create
from khala.attestation.policy import AttestationPolicy, verify_attestation
from khala.attestation.simulated_quote import EnclaveReport, sgx_quote
from khala.bench.timing import interleaved_throughput, machine
from khala.runtime.presets import DEV, KHALA

NOW = 1_800_000_000
"""The fixed verification time (the collateral is signed for it)."""


def run_attestation_benchmark(*, rounds: int = 5, round_seconds: float = 0.5) -> dict[str, Any]:
    """Measure verifications/s with and without the policy layer."""
    with tempfile.TemporaryDirectory(prefix="khala-pki-") as scratch:
        pki = load_or_create(Path(scratch) / "pki")
        quote = sgx_quote(
            pki,
            EnclaveReport(b"\x11" * 32, b"\x22" * 32, 1, 1, b"\x00" * 64),
            ec.generate_private_key(ec.SECP256R1()),
        )
        collateral_json = pki.collateral_json(NOW)
        collateral = dcap_qvl.QuoteCollateralV3.from_json(collateral_json)
        policy = AttestationPolicy((pki.root_der,))
        root = pki.root_der
        rates = interleaved_throughput(
            {
                "policy": lambda: verify_attestation(quote, collateral_json, NOW, policy),
                "bare": lambda: dcap_qvl.verify_with_root_ca(quote, collateral, root, NOW),
            },
            rounds=rounds,
            round_seconds=round_seconds,
        )
    policy_rate = rates["policy"].best_ops_per_s
    bare_rate = rates["bare"].best_ops_per_s
    return {
        "quote": "SGX v3, simulated, dev root",
        "policy_verifies_per_s": round(policy_rate, 1),
        "bare_verifies_per_s": round(bare_rate, 1),
        "policy_share_of_bare": round(policy_rate / bare_rate, 3),
        "registrations_per_block_dev": int(policy_rate * DEV.block_time_ms / 1000),
        "registrations_per_block_khala": int(policy_rate * KHALA.block_time_ms / 1000),
        "rounds": rounds,
        "machine": machine(),
    }
