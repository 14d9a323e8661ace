"""Gatekeeper per-block economics time as the number of computing workers grows.

Per simulated block (khala parameters, 12 s blocks): find the workers the block's challenge
hits (bucketed index), record their challenges, settle the heartbeats answering the previous
block's challenges (V advance, share, payout), and detect unresponsive workers. Setup (starting
N workers) is not timed.
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


def run_tokenomics_benchmark(*, workers: int, blocks: int = 100) -> dict[str, Any]:
    """Simulate ``blocks`` blocks with ``workers`` computing workers; time each block."""
    engine = EconomicsEngine(GEMINI)
    index = ChallengeIndex()
    stake = U64F64.from_int(5000)
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
    target = online_target(workers, BLOCK_SECS, GEMINI.expected_heartbeats)
    answering: list[bytes] = []
    timings: list[float] = []
    settled = 0
    for block in range(1, blocks + 1):
        seed = int.from_bytes(blake2_256(block.to_bytes(8, "little")), "big")
        start = time.perf_counter()
        for pubkey in answering:
            if engine.heartbeat(pubkey, block, challenge_block=block - 1) is not None:
                settled += 1
        hits = index.hits(seed, target)
        for pubkey in hits:
            engine.challenge(pubkey, block)
        engine.on_block(block)
        timings.append(time.perf_counter() - start)
        answering = hits
    return {
        "workers": workers,
        "blocks": blocks,
        "ms_per_block": round(statistics.mean(timings) * 1000, 3),
        "ms_per_block_p99": round(sorted(timings)[int(len(timings) * 0.99) - 1] * 1000, 3),
        "settlements_per_block": round(settled / blocks, 1),
        "machine": machine(),
    }
