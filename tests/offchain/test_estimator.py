"""The reward estimator replays the economics engine.

Shares split the budget, commission splits the payout, and the network stand-in behaves like
the workers it stands for. V grows between heartbeats and the engine weighs the grown share
at each payout, so "half" and "a tenth" hold to within 0.01 %, not exactly.
"""

from __future__ import annotations

from khala.offchain.economics import EconomicsEngine
from khala.offchain.estimator import MAX_SETTLEMENTS_PER_DAY, Network, Profile, estimate
from khala.primitives.fixed_point import U64F64
from khala.runtime.modules.computation.tokenomics import GEMINI

PHA = 10**12
PROFILE = Profile(score=2000, confidence=1, stake=5000 * PHA)
KHALA = {"block_secs": 12, "heartbeats_per_hour": 2}


def test_alone_the_worker_earns_the_whole_budget_less_the_treasury() -> None:
    """Σshare is its own share: each heartbeat pays budget·blocks·(1 − 0.2), as the engine does."""
    result = estimate(GEMINI, PROFILE, Network(), days=2, **KHALA)
    interval = 3600 // 2 // 12  # 150 blocks between heartbeats
    per_day = 86_400 // 12 // interval
    budget = GEMINI.budget_per_block.mul_int(interval)
    expected = _planck(budget * (U64F64.from_int(1) - GEMINI.treasury_ratio))
    assert result.reward_by_day == [expected * per_day] * 2


def _planck(amount: U64F64) -> int:
    """PHA to planck as Phala's chain converts (through U80F48, truncated)."""
    return ((amount.bits >> 16) * PHA) >> 48


def test_identical_workers_split_the_budget_evenly() -> None:
    """With N workers like it, a worker earns 1/(N + 1) of what it earns alone."""
    alone = estimate(GEMINI, PROFILE, Network(), days=1, **KHALA).total_reward
    for others in (1, 9):
        shared = estimate(GEMINI, PROFILE, Network(workers=others), days=1, **KHALA)
        assert abs(shared.total_reward * (others + 1) - alone) <= alone // 10_000


def test_a_fixed_network_share_is_what_the_engine_divides_by() -> None:
    """Σshare of the others = this worker's own share: half of the budget."""
    engine = EconomicsEngine(GEMINI)
    ve = GEMINI.initial_v(U64F64.from_int(5000), 2000, 1)
    engine.start(b"w", 0, score=2000, conf_level=1, initial_v=ve)
    engine.on_block(0)
    own = engine.workers[b"w"].share
    alone = estimate(GEMINI, PROFILE, Network(), days=1, **KHALA).total_reward
    half = estimate(GEMINI, PROFILE, Network(share=own), days=1, **KHALA).total_reward
    assert abs(2 * half - alone) <= alone // 10_000
    assert 2 * half > alone  # the share weighed at the payout includes V's growth


def test_commission_and_apr_follow_the_payouts() -> None:
    """The owner's commission is Permill of each payout; the APR annualises the rest."""
    result = estimate(
        GEMINI, PROFILE, Network(workers=999), days=3, commission_ppm=100_000, **KHALA
    )
    # 10 % of each of the 3·48 payouts, each rounded to nearest (Permill): within half a planck
    # per payout of 10 % of all
    heartbeats = 3 * 48
    assert abs(result.total_reward - 10 * result.owner_commission) <= 5 * heartbeats
    assert result.to_delegators == result.total_reward - result.owner_commission
    expected_ppm = result.to_delegators * 365 * 1_000_000 // (5000 * PHA * 3)
    assert result.apr_ppm() == expected_ppm
    shown = result.to_json()["delegator_apr_percent"]
    assert shown == f"{expected_ppm // 10_000}.{expected_ppm % 10_000:04d}"


def test_frequent_challenges_are_simulated_at_most_every_15_minutes() -> None:
    """A dev chain's 10 s challenges become 96 settlements a day, each paying 15 min."""
    dev = estimate(GEMINI, PROFILE, Network(), days=1, block_secs=2, heartbeats_per_hour=360)
    interval = 86_400 // 2 // MAX_SETTLEMENTS_PER_DAY
    budget = GEMINI.budget_per_block.mul_int(interval)
    payout = _planck(budget * (U64F64.from_int(1) - GEMINI.treasury_ratio))
    assert dev.reward_by_day == [payout * MAX_SETTLEMENTS_PER_DAY]
