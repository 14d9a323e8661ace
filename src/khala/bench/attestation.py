"""Attestation benchmark: quote verifications through our policy layer next to bare dcap-qvl.

Both verify the same simulated SGX quote with the same collateral and root, interleaved in
the same run; the ratio shows what the policy layer (parsing, classification, measurement
extraction) costs. Registrations per block are measured by applying real ``register_worker``
extrinsics (distinct simulated workers) in one block through the executive, and reported next
to the block weight limit.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import dcap_qvl
from cryptography.hazmat.primitives.asymmetric import ec

from khala.attestation.dev_pki import load_or_create
from khala.attestation.policy import AttestationPolicy, verify_attestation
from khala.attestation.simulated_quote import EnclaveReport, sgx_quote
from khala.bench.timing import interleaved_throughput, machine
from khala.primitives.crypto import KeyScheme, keypair_from_seed, keypair_from_uri
from khala.primitives.trie import Layout, MemoryNodeStore, Trie
from khala.runtime.builder import build_block
from khala.runtime.executive import Executive
from khala.runtime.extrinsic import Era, SignedExtra, sign_extrinsic
from khala.runtime.genesis import build_genesis_storage, dev_genesis, genesis_block_header
from khala.runtime.modules.registry.calls import RegisterWorker
from khala.runtime.modules.registry.constants import REGISTER_WEIGHT
from khala.runtime.modules.registry.registration import report_data_for
from khala.runtime.modules.registry.types import SgxDcapReport, WorkerRegistrationInfo
from khala.runtime.presets import DEV, KHALA
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION

NOW = 1_800_000_000
"""The fixed verification time (the collateral is signed for it)."""


def _registrations_per_second(pki_dir: Path, count: int) -> float:
    """Apply ``count`` registrations of distinct simulated workers in one block; return the rate."""
    from khala.enclave.simulated import SimulatedEnclave  # noqa: PLC0415 - bench-only helper

    pki = load_or_create(pki_dir)
    config = dev_genesis(pki.root_der)
    storage = build_genesis_storage(config)
    genesis = genesis_block_header(storage)
    trie = Trie.from_items(storage.items(), Layout.V1, MemoryNodeStore())
    trie.commit()
    executive = Executive(config.preset, genesis.hash())
    now_ms = NOW * 1000
    enclave = SimulatedEnclave(pki_dir.parent / "machine.key", pki_dir, lambda: now_ms // 1000)
    relayer = keypair_from_uri("//Alice")
    extrinsics = []
    for index in range(count):
        worker = keypair_from_seed(KeyScheme.SR25519, index.to_bytes(32, "little"))
        info = WorkerRegistrationInfo(
            1, b"bench", worker.public_key, bytes(32), genesis.hash(), [], None
        )
        quote = enclave.quote(report_data_for(info, now_ms // 1000, index.to_bytes(24, "little")))
        call = RegisterWorker(
            info, SgxDcapReport(quote.quote, (quote.collateral_json or "").encode())
        )
        extrinsics.append(
            sign_extrinsic(
                relayer,
                call,
                SignedExtra(Era(), index, 0),
                spec_version=SPEC_VERSION,
                transaction_version=TRANSACTION_VERSION,
                genesis_hash=genesis.hash(),
                era_block_hash=genesis.hash(),
            )
        )
    start = time.perf_counter()
    built = build_block(executive, trie, genesis, slot=1, now_ms=now_ms, candidates=extrinsics)
    elapsed = time.perf_counter() - start
    if len(built.included) != count or built.rejected:
        raise RuntimeError("benchmark registrations were not all included")
    return count / elapsed


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
        policy = AttestationPolicy((pki.root_der,))
        root = pki.root_der
        registration_rate = _registrations_per_second(Path(scratch) / "pki", 200)
        rates = interleaved_throughput(
            {
                "policy": lambda: verify_attestation(quote, collateral_json, NOW, policy),
                # Both start from the collateral JSON, as a registration carries it.
                "bare": lambda: dcap_qvl.verify_with_root_ca(
                    quote, dcap_qvl.QuoteCollateralV3.from_json(collateral_json), root, NOW
                ),
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
        "registrations_per_s_in_block": round(registration_rate, 1),
        "registrations_per_block_dev": min(
            int(registration_rate * DEV.block_time_ms / 1000),
            DEV.max_block_weight // REGISTER_WEIGHT,
        ),
        "registrations_per_block_khala": min(
            int(registration_rate * KHALA.block_time_ms / 1000),
            KHALA.max_block_weight // REGISTER_WEIGHT,
        ),
        "registrations_per_block_weight_limit": KHALA.max_block_weight // REGISTER_WEIGHT,
        "rounds": rounds,
        "machine": machine(),
    }
