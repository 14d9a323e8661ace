"""Σshare over a long, messy run: incremental, never drifting, never paying past the budget.

50 workers over 20,000 blocks with Gemini's growth and Phala's slash rate: random challenges
(about two a block), answers after 1-6 blocks, a few flaky workers that miss answers (and go
unresponsive, slashed, then recover), and sessions that stop and restart. After every block:

* the incrementally kept Σshare equals the sum recomputed from every worker's counted share
  (integers: a drift of one unit fails);
* everything paid so far (payouts plus treasury) is at most ``budget_per_block`` times the
  blocks elapsed, i.e. the heartbeats of a block never divide more than the budget.
"""

from __future__ import annotations

import random
from dataclasses import replace

from khala.offchain.economics import EconomicsEngine, WorkerState
from khala.primitives.fixed_point import U64F64
from khala.runtime.modules.computation.tokenomics import GEMINI

BLOCKS = 20_000
WORKERS = 50
FLAKY = 5
PARAMS = replace(
    GEMINI,
    slash_rate=U64F64.from_decimal("0.0000033333333333333240063"),
    heartbeat_window=10,
)


def _key(n: int) -> bytes:
    return n.to_bytes(32, "big")


def test_incremental_share_matches_recomputation_and_stays_within_budget() -> None:
    rng = random.Random(20_000)
    engine = EconomicsEngine(PARAMS)
    answers: dict[int, list[tuple[bytes, int]]] = {}
    restarts: dict[int, list[int]] = {}
    paid = 0
    offline_events = recoveries = settlements = 0

    def start(n: int, block: int) -> None:
        score = 1000 + 97 * n
        ve = PARAMS.initial_v(U64F64.from_int(3000 + 100 * n), score, 1 + n % 5)
        engine.start(_key(n), block, score=score, conf_level=1 + n % 5, initial_v=ve)

    for n in range(WORKERS):
        start(n, 1 + n)
    for block in range(1, BLOCKS + 1):
        for key, challenged in answers.pop(block, []):
            settled = engine.heartbeat(key, block, challenged)
            if settled is None:
                continue
            if settled.recovered:
                recoveries += 1
            else:
                settlements += 1
                paid += settled.payout_pha.bits + settled.treasury_pha.bits
        if block % 997 == 0:  # a session stops; it starts again a few blocks later
            n = rng.randrange(WORKERS)
            if _key(n) in engine.workers:
                engine.stop(_key(n), block)
                restarts.setdefault(block + 3, []).append(n)
        for n in restarts.pop(block, []):
            start(n, block)
        if block > WORKERS:
            for key in rng.sample(sorted(engine.workers), 2):
                engine.challenge(key, block)
                n = int.from_bytes(key, "big")
                silent = n < FLAKY and rng.random() < 0.3
                delay = rng.randrange(12, 60) if silent else rng.randrange(1, 7)
                answers.setdefault(block + delay, []).append((key, block))
        offline_events += len(engine.on_block(block))
        assert engine.total_share == engine.recomputed_share(), f"Σshare drifted at {block}"
        assert paid <= PARAMS.budget_per_block.bits * block, f"over budget at block {block}"
    assert settlements > 30_000 and offline_events > 500 and recoveries > 500
    unresponsive = [w for w in engine.workers.values() if w.state is WorkerState.UNRESPONSIVE]
    assert len(unresponsive) <= FLAKY
