"""Reward estimates by replaying the gatekeepers' own economics engine.

An estimate runs :class:`khala.offchain.economics.EconomicsEngine` — the code that settles real
payouts — for one worker profile over a number of days: it starts computing with its stake,
answers a challenge every ``3600 / heartbeats_per_hour`` seconds (at most every 15 min of
simulated time, :data:`MAX_SETTLEMENTS_PER_DAY`), and each heartbeat is
settled against a network Σshare. The rest of the network is one fixed-share participant in
the same engine: either the live chain's Σshare, or ``N`` workers like this one (their share
then follows this worker's share, as identical workers in step would). Nothing here is a
formula copy: change the engine and the estimates change with it.

Results are integers (planck, U64F64 for V); percentages are formatted for display only.
"""

from __future__ import annotations

from dataclasses import dataclass

from khala.offchain.economics import EconomicsEngine, WorkerEconomics
from khala.primitives.fixed_point import ONE, U64F64, ZERO
from khala.primitives.units import planck_to_fixed
from khala.runtime.modules.computation.tokenomics import TokenomicParameters
from khala.runtime.modules.stake_pool.math import permill_of

SECONDS_PER_DAY = 86_400
"""Seconds in a day."""
DAYS_PER_YEAR = 365
"""APR annualises over 365 days."""
MAX_SETTLEMENTS_PER_DAY = 96
"""At most one simulated heartbeat per 15 minutes. A payout is proportional to the blocks since
the last one and V grows block by block in between either way, so coarser heartbeats change
only how often the deductible is taken; they keep a 30-day estimate fast on a dev chain that
challenges every 10 s (0.2 s instead of 15 s; the 30-day total moved by 0.025 % in that case,
measured before issue #10)."""
_ME = b"\x01" * 32
_NETWORK = b"\x02" * 32


@dataclass(frozen=True, slots=True)
class Profile:
    """The worker being estimated."""

    score: int
    """Its benchmark score (P)."""
    confidence: int
    """Its confidence level (1-5)."""
    stake: int
    """Its stake in planck."""


@dataclass(frozen=True, slots=True)
class Network:
    """The rest of the network, for Σshare."""

    share: U64F64 | None = None
    """A fixed Σshare of every other computing worker (the live chain's, typically)."""
    workers: int = 0
    """Or: this many other workers like the profile (their share follows its share)."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """What the profile earns over ``days``."""

    v_by_day: list[U64F64]
    """V at the start and at the end of each day."""
    reward_by_day: list[int]
    """Payouts (to the session owner, treasury excluded) each day, in planck."""
    owner_commission: int
    """The pool owner's commission of all payouts at ``commission_ppm``."""
    to_delegators: int
    """What remains for the pool's delegators."""
    stake: int
    """The stake, for the APR."""
    days: int
    """How many days were simulated."""

    @property
    def total_reward(self) -> int:
        """All payouts over the period."""
        return sum(self.reward_by_day)

    def apr_ppm(self) -> int:
        """Delegators' annual return on the stake, in parts per million (rounded down)."""
        if not self.stake or not self.days:
            return 0
        return self.to_delegators * DAYS_PER_YEAR * 1_000_000 // (self.stake * self.days)

    def to_json(self) -> dict[str, object]:
        """JSON-ready: planck integers, V and percentages as decimal strings."""
        apr = self.apr_ppm()
        return {
            "days": self.days,
            "v_by_day": [v.to_decimal(6) for v in self.v_by_day],
            "reward_by_day": self.reward_by_day,
            "daily_reward_average": self.total_reward // max(self.days, 1),
            "total_reward": self.total_reward,
            "owner_commission": self.owner_commission,
            "to_delegators": self.to_delegators,
            "delegator_apr_percent": f"{apr // 10_000}.{apr % 10_000:04d}",
        }


def estimate(
    params: TokenomicParameters,
    profile: Profile,
    network: Network,
    *,
    days: int,
    block_secs: int,
    heartbeats_per_hour: int,
    commission_ppm: int = 0,
) -> Estimate:
    """Replay ``days`` of computing for ``profile`` in the economics engine."""
    engine = EconomicsEngine(params)
    stake_pha = planck_to_fixed(profile.stake)
    initial_v = params.initial_v(stake_pha, profile.score, profile.confidence)
    engine.start(_ME, 0, score=profile.score, conf_level=profile.confidence, initial_v=initial_v)
    engine.on_block(0)
    others = _network_worker(engine, network)
    me = engine.workers[_ME]
    blocks_per_day = SECONDS_PER_DAY // block_secs
    interval = max(
        (3600 // max(heartbeats_per_hour, 1)) // block_secs,
        blocks_per_day // MAX_SETTLEMENTS_PER_DAY,
        1,
    )
    v_by_day = [me.v]
    rewards: list[int] = []
    commission = 0
    block = 0
    for _ in range(days):
        earned = 0
        day_end = block + blocks_per_day
        while block + interval <= day_end:
            block += interval
            if others is not None and network.workers:
                _follow(engine, others, network.workers, me.share)
            engine.challenge(_ME, block - 1)
            settled = engine.heartbeat(_ME, block, block - 1)
            engine.on_block(block)
            if settled is not None:
                earned += settled.payout
                commission += permill_of(commission_ppm, settled.payout)
        block = day_end
        rewards.append(earned)
        v_by_day.append(engine.workers[_ME].v)
    total = sum(rewards)
    return Estimate(v_by_day, rewards, commission, total - commission, profile.stake, days)


def _network_worker(engine: EconomicsEngine, network: Network) -> WorkerEconomics | None:
    """A participant standing for the rest of the network: fixed share, never paid."""
    share = network.share if network.share is not None else ZERO
    if network.share is None and not network.workers:
        return None
    worker = WorkerEconomics(
        p_bench=ONE,
        p_instant=ZERO,
        conf=ZERO,
        v=share,
        v_deductible=ZERO,
        updated_at=0,
        last_payout=0,
    )
    worker.share = share
    engine.adopt(_NETWORK, worker)
    engine.total_share = engine.total_share + share
    return worker


def _follow(engine: EconomicsEngine, others: WorkerEconomics, count: int, share: U64F64) -> None:
    """Set the stand-in's share to ``count`` times the profile's (identical workers)."""
    target = share.mul_int(count)
    engine.total_share = engine.total_share - others.share + target
    others.share = target
    others.v = target
