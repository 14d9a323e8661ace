"""Economics spec vectors: small scenarios whose arithmetic is written out in each docstring.

Parameters are powers of two where possible (ρ = 1.5, treasury 0.25, slash 0.5) so every
step is exact in U64F64 and the expected values are exact; where a decimal parameter forces a
truncation, the docstring bounds it and the test compares exact fractions.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from khala.offchain.economics import EconomicsEngine, WorkerState
from khala.primitives.fixed_point import ONE, U64F64, ZERO
from khala.runtime.modules.computation.tokenomics import GEMINI, TokenomicParameters

F = U64F64.from_decimal
PHA = 10**12
EXACT = TokenomicParameters(
    rho=F("1.5"),
    budget_per_block=F("100"),
    v_max=F("1000"),
    cost_k=F("0"),
    cost_b=F("0"),
    slash_rate=F("0.5"),
    treasury_ratio=F("0.25"),
    heartbeat_window=3,
    rig_k=F("0"),
    rig_b=F("0"),
    re=F("1.5"),
    k=F("50"),
    expected_heartbeats=20,
)
W1, W2 = b"\x01" * 32, b"\x02" * 32


def _exact(value: U64F64) -> Fraction:
    return Fraction(value.bits, 1 << 64)


def _blocks(engine: EconomicsEngine, first: int, last: int) -> None:
    for block in range(first, last + 1):
        engine.on_block(block)


def test_initial_v_and_minimum_stake() -> None:
    """Ve = (1 + conf·(Re − 1))·(S + rig_k·P + rig_b); S_min = k·√P.

    Gemini, P = 2500, S = 5000 PHA, confidence 1 (weight 1.0):
    Ve = 1.5 · (5000 + 0.4498·2500) = 9186.75, off by the rounding of the literal 0.4498
    (≤ 2⁻⁶⁵, times 2500 · 1.5) and two truncated products: within 2⁻⁵⁰.
    S_min = 50·√2500 = 2500 exactly.
    """
    engine = EconomicsEngine(GEMINI)
    ve = _exact(engine.initial_v(F("5000"), 2500, 1))
    assert abs(ve - Fraction(918675, 100)) <= Fraction(1, 1 << 50)
    assert engine.minimum_stake(2500) == F("2500")


def test_one_worker_growth_payout_and_deduction() -> None:
    """One idle worker: V grows each block, the heartbeat pays the budget, V drops by its growth.

    ρ = 1.5, no costs, P = P_bench = 100, V₀ = 150, started in block 1. Blocks 1-3 grow it
    (the heartbeat's block 4 does not): V = 150 · 1.5³ = 506.25, V_deductible = 356.25.
    It is the only worker, so share/Σshare = 1 and budget = 100 · (4 − 1) = 300 PHA:
    payout 225, treasury 75, V = 506.25 − min(356.25, 225) = 281.25.
    """
    engine = EconomicsEngine(EXACT)
    engine.start(W1, 1, score=100, conf_level=1, initial_v=F("150"))
    engine.on_block(1)
    engine.challenge(W1, 2)
    _blocks(engine, 2, 3)
    settled = engine.heartbeat(W1, 4, challenge_block=2)
    assert settled is not None and not settled.recovered
    assert (settled.payout_pha, settled.treasury_pha) == (F("225"), F("75"))
    assert (settled.payout, settled.treasury) == (225 * PHA, 75 * PHA)
    assert settled.v == F("281.25")
    assert engine.workers[W1].v_deductible == ZERO


def test_two_workers_split_by_share() -> None:
    """Two workers share a block's budget in proportion to their shares.

    ρ = 1, cost_b = 1 (ΔV = 1 per block). W1: P = 120, V₀ = 179 → 180 after block 1,
    share √(180² + 240²) = 300. W2: P = 40, V₀ = 59 → 60, share √(60² + 80²) = 100.
    Σshare = 400. Both answer block 1's challenge in block 2: W1's budget is
    300/400 · 100 · 1 = 75 (payout 56.25, treasury 18.75), W2's 25 (18.75, 6.25); each V
    drops by its deductible of 1.
    """
    engine = EconomicsEngine(replace(EXACT, rho=ONE, cost_b=ONE))
    engine.start(W1, 1, score=120, conf_level=1, initial_v=F("179"))
    engine.start(W2, 1, score=40, conf_level=1, initial_v=F("59"))
    for worker in (W1, W2):
        engine.challenge(worker, 1)
    engine.on_block(1)
    assert engine.total_share == F("400")
    first = engine.heartbeat(W1, 2, challenge_block=1)
    second = engine.heartbeat(W2, 2, challenge_block=1)
    assert first is not None and second is not None
    assert (first.payout_pha, first.treasury_pha, first.v) == (F("56.25"), F("18.75"), F("179"))
    assert (second.payout_pha, second.treasury_pha, second.v) == (F("18.75"), F("6.25"), F("59"))


def test_costs_the_v_max_cap_and_the_deductible_at_the_cap() -> None:
    """ΔV = (P/P_bench)·((ρ−1)·V + cost_k·P_bench + cost_b); V capped, ΔV still deductible.

    ρ = 1.5, cost_k = 0.25, cost_b = 1, P = P_bench = 4 (cost 2), V₀ = 100:
    block 1: 100 + 50 + 2 = 152; block 2: 152 + 76 + 2 = 230. With Vmax = 200, block 2 caps
    V at 200 (deductible 52 + 78 = 130) and block 3 adds ΔV = 100 + 2 = 102 to the
    deductible (232) while V stays 200, as Phala's ``update_v_idle`` does.
    """
    params = replace(EXACT, cost_k=F("0.25"), cost_b=ONE)
    engine = EconomicsEngine(params)
    engine.start(W1, 1, score=4, conf_level=1, initial_v=F("100"))
    engine.advance(engine.workers[W1], 2)
    assert engine.workers[W1].v == F("230")
    capped = EconomicsEngine(replace(params, v_max=F("200")))
    capped.start(W1, 1, score=4, conf_level=1, initial_v=F("100"))
    worker = capped.workers[W1]
    capped.advance(worker, 2)
    assert (worker.v, worker.v_deductible) == (F("200"), F("130"))
    capped.advance(worker, 3)
    assert (worker.v, worker.v_deductible) == (F("200"), F("232"))


def test_growth_with_performance_below_the_benchmark() -> None:
    """P ≠ P_bench scales ΔV by P/P_bench.

    Same costs as above, P_bench = 4 but P = 2: ΔV = 0.5 · (0.5·100 + 2) = 26 in block 1.
    """
    engine = EconomicsEngine(replace(EXACT, cost_k=F("0.25"), cost_b=ONE))
    engine.start(W1, 1, score=4, conf_level=1, initial_v=F("100"))
    worker = engine.workers[W1]
    worker.p_instant = F("2")
    engine.advance(worker, 1)
    assert (worker.v, worker.v_deductible) == (F("126"), F("26"))


def test_confidence_weights_scale_the_performance_term() -> None:
    """Share = √(V² + (2·P·conf)²): levels 4 and 5 weigh P by 0.8 and 0.7 (rounded literals).

    V = 0, P = 100: level 1 gives 200 exactly; level 4 gives 2·100·fp(0.8), i.e. 160 less
    at most 2⁻⁵⁸ (the literal's rounding times 200, then the square root's 2⁻³² truncation).
    """
    engine = EconomicsEngine(EXACT)
    shares = {}
    for level, key in ((1, W1), (4, W2), (5, b"\x03" * 32)):
        engine.start(key, 1, score=100, conf_level=level, initial_v=ZERO)
        shares[level] = _exact(engine.share_of(engine.workers[key]))
    assert shares[1] == 200
    for level, weight in ((4, Fraction(8, 10)), (5, Fraction(7, 10))):
        assert abs(shares[level] - 200 * weight) <= Fraction(1, 1 << 31)


def test_unresponsive_worker_is_slashed_excluded_and_recovers() -> None:
    """An unanswered challenge older than the window makes the worker unresponsive.

    Window 3, no growth (ρ = 1), slash 0.5. W1 (V = 150, P = 100: share 250) and W2
    (V = 160, P = 60: share 200) start in block 1, Σshare = 450. W1 is challenged in block 2
    and stays silent: in block 6 (6 − 2 > 3) it turns unresponsive and is slashed in that
    block (V = 75); Σshare drops to 200 at its end. Blocks 7 and 8 slash it to 18.75; its
    heartbeat in block 9 recovers it without a slash or a payout, and clears its deductible.
    """
    engine = EconomicsEngine(replace(EXACT, rho=ONE))
    engine.start(W1, 1, score=100, conf_level=1, initial_v=F("150"))
    engine.start(W2, 1, score=60, conf_level=1, initial_v=F("160"))
    engine.on_block(1)
    assert engine.total_share == F("450")
    engine.challenge(W1, 2)
    for block in range(2, 6):
        assert engine.on_block(block) == []
    assert engine.on_block(6) == [W1]
    assert engine.workers[W1].state is WorkerState.UNRESPONSIVE
    assert engine.workers[W1].v == F("75")
    assert engine.total_share == F("200")
    _blocks(engine, 7, 8)
    recovered = engine.heartbeat(W1, 9, challenge_block=2)
    assert recovered is not None and recovered.recovered
    assert (recovered.payout, recovered.v) == (0, F("18.75"))
    engine.on_block(9)
    assert engine.workers[W1].v == F("18.75")
    assert engine.workers[W1].state is WorkerState.IDLE
    assert engine.total_share == F("200") + engine.share_of(engine.workers[W1])
    assert engine.total_share == engine.recomputed_share()


def test_lazy_steps_equal_literal_per_block_steps() -> None:
    """Stepping 7,201 blocks at once equals 7,201 literal U64F64 steps, bit for bit.

    Gemini parameters, P = P_bench = 2000, V₀ = 10,000: each block is Phala's
    ``update_v_idle``: ΔV = (P/P_bench)·((ρ−1)·V + cost_k·P_bench + cost_b).
    """
    engine = EconomicsEngine(GEMINI)
    engine.start(W1, 1, score=2000, conf_level=1, initial_v=F("10000"))
    engine.advance(engine.workers[W1], 7_201)
    v, deductible = F("10000"), ZERO
    ratio = U64F64.from_int(2000) / U64F64.from_int(2000)
    cost = GEMINI.cost_k * U64F64.from_int(2000) + GEMINI.cost_b
    for _ in range(7_201):
        delta = ratio * ((GEMINI.rho - ONE) * v + cost)
        v, deductible = min(v + delta, GEMINI.v_max), deductible + delta
    assert (engine.workers[W1].v, engine.workers[W1].v_deductible) == (v, deductible)


def test_nothing_to_pay_settles_nothing() -> None:
    """Phala pays nothing when the deductible is zero or the worker was paid in this block."""
    engine = EconomicsEngine(replace(EXACT, rho=ONE))
    engine.start(W1, 1, score=100, conf_level=1, initial_v=F("150"))
    engine.on_block(1)
    engine.challenge(W1, 2)
    engine.challenge(W1, 3)
    _blocks(engine, 2, 3)
    settled = engine.heartbeat(W1, 4, challenge_block=2)
    assert settled is not None and (settled.payout, settled.v) == (0, F("150"))
    assert engine.workers[W1].last_payout == 1  # the next payout still covers every block


def test_unknown_or_unchallenged_heartbeats_pay_nothing() -> None:
    """Heartbeats from non-computing workers or for challenges never given pay nothing.

    The chain accepted the latter, so its count still measures P (600 iterations over the
    60 s since the session started at 0 ms: 60 per 6 s), which V then grows with.
    """
    engine = EconomicsEngine(EXACT)
    assert engine.heartbeat(W1, 5, challenge_block=4) is None
    engine.start(W1, 1, score=100, conf_level=1, initial_v=F("150"))
    beat = {"now_ms": 60_000, "iterations": 600, "challenge_time_ms": 48_000}
    assert engine.heartbeat(W1, 5, challenge_block=4, **beat) is None
    worker = engine.workers[W1]
    assert worker.p_instant == F("60") and worker.last_payout == 1
    assert (worker.iteration_last, worker.challenge_time_last) == (600, 48_000)


def test_parameter_change_applies_from_its_block() -> None:
    """Blocks before a change step with the old parameters, later ones with the new.

    ρ = 1.5 for blocks 1-2 (150 → 337.5), then ρ = 1 with cost_b = 1 for block 3: 338.5.
    """
    engine = EconomicsEngine(EXACT)
    engine.start(W1, 1, score=100, conf_level=1, initial_v=F("150"))
    _blocks(engine, 1, 2)
    engine.set_params(replace(EXACT, rho=ONE, cost_b=ONE), 2)
    engine.advance(engine.workers[W1], 3)
    assert engine.workers[W1].v == F("338.5")
