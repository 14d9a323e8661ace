"""The gatekeeper's economics engine (DESIGN §7), in U64F64 integers, O(touched) per block.

Per block, for each computing worker:

* idle: ``ΔV = (P/P_bench)·((ρ−1)·V + cost_k·P_bench + cost_b)``, ``V = min(V + ΔV, Vmax)``, and
  the actual increase accumulates in ``V_deductible``;
* unresponsive: ``V −= V·slash_rate``;
* ``share = √(V² + (2·P·conf)²)``;
* at a heartbeat in block b: ``budget = share/Σshare · budget_per_block · (b − last_payout)``,
  ``payout = budget·(1 − treasury_ratio)``, ``treasury = budget·treasury_ratio``,
  ``V −= min(V_deductible, payout)``.

**Scale.** Nothing here passes over all workers per block. The idle recurrence
``V ← V·m + d`` (``m = 1 + a(ρ−1)``, ``d = a·(cost_k·P_bench + cost_b)``, ``a = P/P_bench``) is
advanced in closed form when a worker is touched: ``V_n = V·mⁿ + d·(mⁿ−1)/(m−1)``, capped at
Vmax (the cap is absorbing). Σshare is kept incrementally as the sum of each idle worker's
share as of its last update (heartbeat or state change); unresponsive workers contribute
nothing. Offline detection pops a heap ordered by each worker's oldest unanswered challenge.
Every operation rounds toward zero (U64F64), so all gatekeepers compute identical results;
the closed form differs from literal per-block stepping by a few units in the last place.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from enum import IntEnum

from khala.primitives.fixed_point import ONE, U64F64, ZERO
from khala.runtime.modules.computation.tokenomics import TokenomicParameters

UNITS_PER_PHA = 10**12
"""Balance units per PHA (payouts are returned in units)."""


class WorkerState(IntEnum):
    """A computing worker's state as the gatekeeper tracks it."""

    IDLE = 0
    """Computing and answering its challenges."""
    UNRESPONSIVE = 1
    """An unanswered challenge is older than the heartbeat window."""


@dataclass(slots=True)
class WorkerEconomics:
    """One computing worker's economic state."""

    p_bench: int
    """Benchmark score (P_bench)."""
    p_instant: int
    """Current performance (P); equals the score until measured otherwise."""
    conf: U64F64
    """Confidence weight (1.0, 0.8 or 0.7)."""
    v: U64F64
    """Mining value V as of ``updated_at``."""
    v_deductible: U64F64
    """V growth accumulated since the last payout."""
    updated_at: int
    """Block V was last advanced to."""
    last_payout: int
    """Block of the last payout (or of the start)."""
    state: WorkerState = WorkerState.IDLE
    """Idle or unresponsive."""
    share: U64F64 = ZERO
    """The share counted in Σshare: as of ``updated_at`` while idle, zero while unresponsive."""
    pending: deque[int] = field(default_factory=deque)
    """Blocks of unanswered challenges, oldest first."""


@dataclass(frozen=True, slots=True)
class Settlement:
    """What a heartbeat pays (the engine's output for the chain)."""

    pubkey: bytes
    """The worker."""
    v: U64F64
    """Its V after the payout."""
    payout: int
    """Units to the worker's reward recipient."""
    treasury: int
    """Units to the treasury."""


class EconomicsEngine:
    """All computing workers' economics, indexed by public key."""

    def __init__(self, params: TokenomicParameters) -> None:
        """Start with no workers."""
        self.params = params
        self.workers: dict[bytes, WorkerEconomics] = {}
        self.total_share = ZERO
        self._offline_heap: list[tuple[int, bytes]] = []

    # --- formulas ---------------------------------------------------------------------------

    def initial_v(self, stake_pha: U64F64, score: int, conf_level: int) -> U64F64:
        """``Ve`` as the chain computes it at ``start_computing``."""
        return self.params.initial_v(stake_pha, score, conf_level)

    def minimum_stake(self, score: int) -> U64F64:
        """``S_min`` as the chain checks it at ``start_computing``."""
        return self.params.minimum_stake(score)

    def share_of(self, worker: WorkerEconomics) -> U64F64:
        """``√(V² + (2·P·conf)²)``."""
        performance = worker.conf.mul_int(2 * worker.p_instant)
        return (worker.v * worker.v + performance * performance).sqrt()

    def _advance(self, worker: WorkerEconomics, block: int) -> None:
        """Bring V (and V_deductible) to ``block`` in closed form."""
        blocks = block - worker.updated_at
        if blocks <= 0:
            return
        params = self.params
        if worker.state is WorkerState.IDLE:
            if worker.v < params.v_max:
                ratio = U64F64.from_ratio(worker.p_instant, worker.p_bench)
                growth = ratio * (params.rho - ONE)
                constant = ratio * (params.cost_k.mul_int(worker.p_bench) + params.cost_b)
                multiplier = (ONE + growth).pow(blocks)
                geometric = (multiplier - ONE) / growth if growth.bits else U64F64.from_int(blocks)
                grown = min(worker.v * multiplier + constant * geometric, params.v_max)
                worker.v_deductible = worker.v_deductible + (grown - worker.v)
                worker.v = grown
        elif params.slash_rate.bits:
            worker.v = worker.v * (ONE - params.slash_rate).pow(blocks)
        worker.updated_at = block

    def _refresh_share(self, worker: WorkerEconomics) -> None:
        """Recompute an idle worker's share and replace it in Σshare (unresponsive: zero)."""
        self.total_share = self.total_share - worker.share
        worker.share = self.share_of(worker) if worker.state is WorkerState.IDLE else ZERO
        self.total_share = self.total_share + worker.share

    # --- events -----------------------------------------------------------------------------

    def start(
        self, pubkey: bytes, block: int, *, score: int, conf_level: int, initial_v: U64F64
    ) -> None:
        """A worker starts computing at ``block`` with V = Ve."""
        worker = WorkerEconomics(
            p_bench=score,
            p_instant=score,
            conf=self.params.confidence_weight(conf_level),
            v=initial_v,
            v_deductible=ZERO,
            updated_at=block,
            last_payout=block,
        )
        self.workers[pubkey] = worker
        self._refresh_share(worker)

    def adopt(self, pubkey: bytes, worker: WorkerEconomics) -> None:
        """Take over a worker restored from a checkpoint (Σshare is restored separately)."""
        self.workers[pubkey] = worker
        if worker.pending:
            heapq.heappush(self._offline_heap, (worker.pending[0], pubkey))

    def stop(self, pubkey: bytes, block: int) -> U64F64:
        """A worker stops computing; returns its final V."""
        worker = self.workers.pop(pubkey)
        self._advance(worker, block)
        self.total_share = self.total_share - worker.share
        return worker.v

    def challenge(self, pubkey: bytes, block: int) -> None:
        """The worker was hit by the challenge of ``block``."""
        worker = self.workers.get(pubkey)
        if worker is None:
            return
        if not worker.pending:
            heapq.heappush(self._offline_heap, (block, pubkey))
        worker.pending.append(block)

    def heartbeat(
        self, pubkey: bytes, block: int, challenge_block: int, p_instant: int | None = None
    ) -> Settlement | None:
        """Process a heartbeat answering ``challenge_block`` that landed in ``block``.

        V is advanced to ``block`` with the performance measured so far; ``p_instant`` (the
        heartbeat's measurement, as the chain recorded it) then applies from ``block`` on.
        Returns the settlement (payout and treasury) to send to the chain, or None for a worker
        that is not computing or a challenge it was not given.
        """
        worker = self.workers.get(pubkey)
        if worker is None or challenge_block not in worker.pending:
            return None
        while worker.pending and worker.pending[0] <= challenge_block:
            worker.pending.popleft()
        if worker.pending:
            heapq.heappush(self._offline_heap, (worker.pending[0], pubkey))
        if worker.state is WorkerState.UNRESPONSIVE:
            self._advance(worker, block)
            if p_instant is not None:
                worker.p_instant = p_instant
            worker.state = WorkerState.IDLE
            worker.last_payout = block
            self._refresh_share(worker)
            return Settlement(pubkey, worker.v, 0, 0)
        self._advance(worker, block)
        if p_instant is not None:
            worker.p_instant = p_instant
        self._refresh_share(worker)
        return self._pay(pubkey, worker, block)

    def set_performance(self, pubkey: bytes, block: int, p_instant: int) -> None:
        """Apply a performance measured by a heartbeat that settles nothing (from ``block``)."""
        worker = self.workers.get(pubkey)
        if worker is None:
            return
        self._advance(worker, block)
        worker.p_instant = p_instant
        self._refresh_share(worker)

    def _pay(self, pubkey: bytes, worker: WorkerEconomics, block: int) -> Settlement:
        params = self.params
        elapsed = block - worker.last_payout
        if not self.total_share.bits or elapsed <= 0:
            return Settlement(pubkey, worker.v, 0, 0)
        budget = (worker.share / self.total_share * params.budget_per_block).mul_int(elapsed)
        treasury = budget * params.treasury_ratio
        payout = budget - treasury
        deducted = min(worker.v_deductible, payout)
        worker.v = worker.v - deducted
        worker.v_deductible = ZERO
        worker.last_payout = block
        self._refresh_share(worker)
        return Settlement(pubkey, worker.v, _units(payout), _units(treasury))

    def on_block(self, block: int) -> list[bytes]:
        """Mark workers whose oldest challenge is older than the window; returns them."""
        window = self.params.heartbeat_window
        offline: list[bytes] = []
        heap = self._offline_heap
        while heap and block - heap[0][0] > window:
            challenged_at, pubkey = heapq.heappop(heap)
            worker = self.workers.get(pubkey)
            if worker is None or not worker.pending or worker.pending[0] != challenged_at:
                continue  # answered or stopped since; a stale heap entry
            if worker.state is WorkerState.IDLE:
                self._advance(worker, block)
                self.total_share = self.total_share.saturating_sub(worker.share)
                worker.share = ZERO  # no longer counted in Σshare
                worker.state = WorkerState.UNRESPONSIVE
                offline.append(pubkey)
        return offline


def _units(amount: U64F64) -> int:
    """PHA in U64F64 to balance units, rounding toward zero."""
    return (amount.bits * UNITS_PER_PHA) >> 64
