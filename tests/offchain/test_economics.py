"""Economics spec vectors: small scenarios whose arithmetic is written out in each docstring.

Parameters are chosen so the numbers can be checked by hand; amounts are PHA, payouts are
compared in units (10^-12 PHA) within a few units, because every U64F64 step truncates
(e.g. 0.2 is stored as floor(0.2·2^64)/2^64, so 20 % of 200 PHA is 39.999999999999999989 PHA).
"""

from __future__ import annotations

from dataclasses import replace

from khala.offchain.economics import EconomicsEngine, WorkerState
from khala.primitives.fixed_point import U64F64
from khala.runtime.modules.computation.tokenomics import GEMINI, TokenomicParameters

F = U64F64.from_decimal
PHA = 10**12
SIMPLE = TokenomicParameters(
    rho=F("1.1"),
    budget_per_block=F("100"),
    v_max=F("1000"),
    cost_k=F("0"),
    cost_b=F("0"),
    slash_rate=F("0.5"),
    treasury_ratio=F("0.2"),
    heartbeat_window=3,
    rig_k=F("0"),
    rig_b=F("0"),
    re=F("1.5"),
    k=F("50"),
    expected_heartbeats=20,
)
W1, W2 = b"\x01" * 32, b"\x02" * 32


def _close(value: int, expected: int, units: int = 3) -> bool:
    return abs(value - expected) <= units


def _decimal(value: U64F64) -> float:
    return value.bits / 2**64


def test_initial_v_and_minimum_stake() -> None:
    """Ve = (1 + conf·(Re − 1))·(S + rig_k·P + rig_b); S_min = k·√P.

    Gemini, P = 2500, S = 5000 PHA, confidence 1 (weight 1.0):
    Ve = 1.5 · (5000 + 0.4498·2500) = 1.5 · 6124.5 = 9186.75; S_min = 50·√2500 = 2500.
    Confidence 5 (weight 0.7): Ve = 1.35 · 6124.5 = 8268.075.
    """
    engine = EconomicsEngine(GEMINI)
    assert abs(_decimal(engine.initial_v(F("5000"), 2500, 1)) - 9186.75) < 1e-12
    assert abs(_decimal(engine.initial_v(F("5000"), 2500, 5)) - 8268.075) < 1e-9
    assert engine.minimum_stake(2500) == F("2500")


def test_one_worker_growth_payout_and_deduction() -> None:
    """One idle worker: V grows, the heartbeat pays the whole budget, V drops by its growth.

    ρ = 1.1, no costs, P = P_bench = 100, confidence 1, V₀ = 150 at block 0.
    Block 2: V = 150 · 1.1² = 181.5, V_deductible = 31.5,
    share = √(181.5² + (2·100)²) = √72942.25; Σshare = share, so
    budget = 1 · 100 · (2 − 0) = 200 PHA, treasury = 40, payout = 160,
    V = 181.5 − min(31.5, 160) = 150.
    """
    engine = EconomicsEngine(SIMPLE)
    engine.start(W1, 0, score=100, conf_level=1, initial_v=F("150"))
    engine.challenge(W1, 1)
    settlement = engine.heartbeat(W1, 2, challenge_block=1)
    assert settlement is not None
    assert _close(settlement.payout, 160 * PHA) and _close(settlement.treasury, 40 * PHA)
    assert abs(_decimal(settlement.v) - 150) < 1e-12


def test_two_workers_split_by_share() -> None:
    """Two workers share the budget in proportion to their shares.

    ρ = 1 (no growth). W1: P = 100, V = 150 → share = √(150² + 200²) = 250.
    W2: P = 60, V = 160 → share = √(160² + 120²) = 200. Σshare = 450.
    Both answer at block 9 (started at 0): W1 budget = 250/450 · 100 · 9 = 500 → payout 400,
    treasury 100; W2 budget = 200/450 · 900 = 400 → payout 320, treasury 80. V unchanged.
    """
    engine = EconomicsEngine(replace(SIMPLE, rho=F("1")))
    engine.start(W1, 0, score=100, conf_level=1, initial_v=F("150"))
    engine.start(W2, 0, score=60, conf_level=1, initial_v=F("160"))
    assert _decimal(engine.total_share) == 450
    for worker in (W1, W2):
        engine.challenge(worker, 8)
    first = engine.heartbeat(W1, 9, challenge_block=8)
    second = engine.heartbeat(W2, 9, challenge_block=8)
    assert first is not None and second is not None
    assert _close(first.payout, 400 * PHA) and _close(first.treasury, 100 * PHA)
    assert _close(second.payout, 320 * PHA) and _close(second.treasury, 80 * PHA)
    assert _decimal(first.v) == 150 and _decimal(second.v) == 160


def test_costs_and_the_v_max_cap() -> None:
    """ΔV = (P/P_bench)·((ρ−1)·V + cost_k·P_bench + cost_b), capped at Vmax.

    ρ = 1.1, cost_k = 0.01, cost_b = 1, P = P_bench = 100, V₀ = 100:
    block 1: 100 + 0.1·100 + 0.01·100 + 1 = 112; block 2: 112 + 11.2 + 2 = 125.2
    (closed form: 100·1.21 + 2·0.21/0.1 = 125.2). With Vmax = 120 the cap holds V at 120 and
    V_deductible = 20.
    """
    params = replace(SIMPLE, cost_k=F("0.01"), cost_b=F("1"))
    engine = EconomicsEngine(params)
    engine.start(W1, 0, score=100, conf_level=1, initial_v=F("100"))
    engine._advance(engine.workers[W1], 2)
    assert abs(_decimal(engine.workers[W1].v) - 125.2) < 1e-12
    capped = EconomicsEngine(replace(params, v_max=F("120")))
    capped.start(W1, 0, score=100, conf_level=1, initial_v=F("100"))
    capped._advance(capped.workers[W1], 2)
    assert capped.workers[W1].v == F("120") and capped.workers[W1].v_deductible == F("20")


def test_unresponsive_worker_is_slashed_excluded_and_recovers() -> None:
    """An unanswered challenge older than the window makes the worker unresponsive.

    Window 3, ρ = 1, slash 0.5. W1 (V = 150, share 250) and W2 (share 200), Σ = 450.
    W1 is challenged at block 1 and stays silent: at block 5 (5 − 1 > 3) it is unresponsive
    and Σshare drops to 200. Two blocks later (block 7) its heartbeat recovers it:
    V = 150 · 0.5² = 37.5, no payout for the silent period, share = √(37.5² + 200²).
    """
    engine = EconomicsEngine(replace(SIMPLE, rho=F("1")))
    engine.start(W1, 0, score=100, conf_level=1, initial_v=F("150"))
    engine.start(W2, 0, score=60, conf_level=1, initial_v=F("160"))
    engine.challenge(W1, 1)
    assert engine.on_block(4) == []
    assert engine.on_block(5) == [W1]
    assert engine.workers[W1].state is WorkerState.UNRESPONSIVE
    assert _decimal(engine.total_share) == 200
    recovered = engine.heartbeat(W1, 7, challenge_block=1)
    assert recovered is not None and recovered.payout == 0 and _decimal(recovered.v) == 37.5
    expected_share = (37.5**2 + 200**2) ** 0.5
    assert abs(_decimal(engine.total_share) - (200 + expected_share)) < 1e-9


def test_closed_form_matches_per_block_stepping_with_gemini() -> None:
    """Advancing 10,000 blocks at once equals 10,000 literal per-block steps within 1e-9.

    Gemini parameters, P = P_bench = 2000, V₀ = 10,000: each step is
    V ← V + (ρ−1)·V + cost_k·2000 + cost_b.
    """
    engine = EconomicsEngine(GEMINI)
    engine.start(W1, 0, score=2000, conf_level=1, initial_v=F("10000"))
    engine._advance(engine.workers[W1], 10_000)
    stepped = F("10000")
    cost = GEMINI.cost_k.mul_int(2000) + GEMINI.cost_b
    for _ in range(10_000):
        stepped = stepped + stepped * (GEMINI.rho - U64F64.from_int(1)) + cost
    assert abs(_decimal(engine.workers[W1].v) - _decimal(stepped)) < 1e-9


def test_unknown_or_unchallenged_heartbeats_pay_nothing() -> None:
    """Heartbeats from non-computing workers or for challenges never given are ignored."""
    engine = EconomicsEngine(SIMPLE)
    assert engine.heartbeat(W1, 5, challenge_block=4) is None
    engine.start(W1, 0, score=100, conf_level=1, initial_v=F("150"))
    assert engine.heartbeat(W1, 5, challenge_block=4) is None
