"""Gatekeeper per-block economics time as the number of computing workers grows.

Per simulated block (khala parameters, 12 s blocks): find the workers the block's challenge
hits (bucketed index), record their challenges, settle the heartbeats answering earlier
challenges (V stepped block by block since the worker's last touch, share, payout), and end
the block (timeouts, Σshare). Setup is not timed. Heartbeats carry iteration counts at 95 % of
each worker's score, so P differs from P_bench as on a live network.

The network is in steady state from the first timed block: every worker was last touched
``N/expected_heartbeats`` blocks earlier (the mean wait between two challenges of a worker),
so each heartbeat steps as many blocks as on a live chain and the engine's per-block work is
what it is there (about one V step per worker per block), not the cheap first blocks after
everyone started. With ``unresponsive_percent`` that share of the workers answers
late (after the heartbeat window): they turn unresponsive, are slashed, and recover when their
late heartbeat lands.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from khala.bench.timing import machine
from khala.offchain.challenge import ChallengeIndex, online_target
from khala.offchain.economics import EconomicsEngine
from khala.primitives.fixed_point import U64F64
from khala.primitives.hashing import blake2_256
from khala.runtime.modules.computation.tokenomics import GEMINI

BLOCK_SECS = 12
"""khala's block time."""
LATE_BY = 5
"""Blocks past the heartbeat window after which an unresponsive worker's answer lands."""


def run_tokenomics_benchmark(
    *, workers: int, blocks: int = 100, unresponsive_percent: int = 0
) -> dict[str, Any]:
    """Simulate ``blocks`` blocks with ``workers`` computing workers; time each block."""
    params = GEMINI
    engine = EconomicsEngine(params)
    index = ChallengeIndex()
    stake = U64F64.from_int(5000)
    first = max(workers // params.expected_heartbeats, 1)
    flaky: set[bytes] = set()
    for number in range(workers):
        pubkey = number.to_bytes(32, "big")
        score = 1000 + number % 2000
        engine.start(
            pubkey,
            0,
            score=score,
            conf_level=1 + number % 5,
            initial_v=engine.initial_v(stake, score, 1),
        )
        index.add(pubkey)
        if number % 100 < unresponsive_percent:
            flaky.add(pubkey)
    engine.on_block(0)
    target = online_target(workers, BLOCK_SECS, params.expected_heartbeats)
    late = params.heartbeat_window + LATE_BY
    answers: dict[int, list[tuple[bytes, int]]] = {}
    timings: list[float] = []
    settled = recovered = offline = 0
    for block in range(first, first + blocks):
        seed = int.from_bytes(blake2_256(block.to_bytes(8, "little")), "big")
        start = time.perf_counter()
        for pubkey, challenged in answers.pop(block, []):
            outcome = engine.heartbeat(
                pubkey,
                block,
                challenged,
                now_ms=block * BLOCK_SECS * 1000,
                iterations=_iterations(pubkey, challenged),
                challenge_time_ms=challenged * BLOCK_SECS * 1000,
            )
            if outcome is not None:
                recovered += outcome.recovered
                settled += not outcome.recovered
        for pubkey in index.hits(seed, target):
            engine.challenge(pubkey, block)
            due = block + (late if pubkey in flaky else 1)
            answers.setdefault(due, []).append((pubkey, block))
        offline += len(engine.on_block(block))
        timings.append(time.perf_counter() - start)
    return {
        "workers": workers,
        "blocks": blocks,
        "unresponsive_percent": unresponsive_percent,
        "ms_per_block": round(statistics.mean(timings) * 1000, 3),
        "ms_per_block_p99": round(sorted(timings)[int(len(timings) * 0.99) - 1] * 1000, 3),
        "settlements_per_block": round(settled / blocks, 1),
        "went_unresponsive": offline,
        "recovered": recovered,
        "machine": machine(),
    }


def _iterations(pubkey: bytes, block: int) -> int:
    """A worker's count at ``block``: 95 % of its score's rate since block 0 (P ≠ P_bench)."""
    score = 1000 + int.from_bytes(pubkey, "big") % 2000
    return block * BLOCK_SECS // 6 * score * 95 // 100
