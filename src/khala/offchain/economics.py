"""The gatekeeper's economics engine (DESIGN §7): Phala's per-block tokenomics, bit for bit.

After each block's messages, every computing worker takes one step, as Phala's gatekeeper
(``crates/phactory/src/system/gk.rs``) does:

* idle, no heartbeat in the block: ``ΔV = (P/P_bench)·((ρ−1)·V + cost_k·P_bench + cost_b)``,
  ``V_deductible += ΔV`` and ``V = min(V + ΔV, Vmax)`` (the deductible grows even at the cap);
* unresponsive (from the block its oldest challenge passes the window on):
  ``V −= V·slash_rate`` and ``V_deductible = 0``;
* a heartbeat in the block: neither growth nor slash. A responsive worker is paid
  ``budget = share/Σshare·budget_per_block·(b − last_payout)``,
  ``payout = budget·(1 − treasury_ratio)``, ``treasury = budget·treasury_ratio``,
  ``V −= min(V_deductible, payout)``, ``V_deductible = 0``; an unresponsive one recovers
  (``V_deductible = 0``, nothing paid, no settlement entry).

``share = √(V² + (2·P·conf)²)`` with Phala's square root (32 fraction bits). Every product and
quotient truncates like the ``fixed`` crate's U64F64.

**Lazy, exact stepping.** Nothing passes over all workers per block. A worker's steps are taken
when it is next touched (heartbeat, timeout, stop, the end of a block that changed it), by
running the same per-block formula in plain integers (:mod:`khala.offchain.steps`), so V is the
per-block value, not an approximation of it.

**Σshare** is the sum of each idle worker's share as of its last update. It changes only at the
end of a block, so every heartbeat of a block sees the same Σshare, as in Phala (which sums at
the start of each block); a heartbeat replaces its own worker's term by that worker's current
share before being paid. Phala sums every worker's current share each block; khala keeps the
others' last values (a deliberate difference, ``docs/mining.md``).
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from enum import IntEnum

from khala.offchain.steps import grow_idle, idle_step_constants, slash
from khala.primitives.fixed_point import MAX_BITS, ONE, U64F64, ZERO
from khala.primitives.units import fixed_to_planck
from khala.runtime.modules.computation.challenge import instant_performance
from khala.runtime.modules.computation.tokenomics import TokenomicParameters


class WorkerState(IntEnum):
    """A computing worker's state as the gatekeeper tracks it."""

    IDLE = 0
    """Computing and answering its challenges."""
    UNRESPONSIVE = 1
    """An unanswered challenge is older than the heartbeat window."""


@dataclass(slots=True)
class WorkerEconomics:
    """One computing worker's economic state (Phala's ``TokenomicInfo``)."""

    p_bench: U64F64
    """Benchmark score (P_bench) at the start of the session."""
    p_instant: U64F64
    """Current performance (P), measured by heartbeats; the score until the first one."""
    conf: U64F64
    """Confidence weight (1.0, 0.8 or 0.7)."""
    v: U64F64
    """Mining value V, including every block up to ``updated_at``."""
    v_deductible: U64F64
    """V growth since the last payout (deducted from V at the next one)."""
    updated_at: int
    """The last block whose step V includes."""
    last_payout: int
    """The block of the start, the last payout or the last recovery (Phala's
    ``v_update_block``): a payout covers the blocks since."""
    iteration_last: int = 0
    """Iterations of the last heartbeat (0 at the start)."""
    challenge_time_last: int = 0
    """Challenge time (ms) of the last heartbeat; the start block's time before the first."""
    state: WorkerState = WorkerState.IDLE
    """Idle or unresponsive."""
    share: U64F64 = ZERO
    """The share counted in Σshare (zero while unresponsive or not yet counted)."""
    pending: deque[int] = field(default_factory=deque)
    """Blocks of unanswered challenges, oldest first."""
    recovered_at: int = -1
    """The block it last recovered in (it is not checked for timeouts in that block)."""


@dataclass(frozen=True, slots=True)
class Settlement:
    """What a heartbeat settles (the engine's output for the chain)."""

    pubkey: bytes
    """The worker."""
    v: U64F64
    """Its V after the heartbeat."""
    payout: int
    """Planck to the worker's reward recipient."""
    treasury: int
    """Planck to the treasury."""
    payout_pha: U64F64 = ZERO
    """The payout in PHA as computed (Phala reports these bits; the chain converts)."""
    treasury_pha: U64F64 = ZERO
    """The treasury share in PHA as computed."""
    recovered: bool = False
    """The heartbeat brought an unresponsive worker back (nothing paid, no settle entry)."""


class EconomicsEngine:
    """All computing workers' economics, indexed by public key."""

    def __init__(self, params: TokenomicParameters) -> None:
        """Start with no workers."""
        self.params = params
        self.workers: dict[bytes, WorkerEconomics] = {}
        self.total_share = ZERO
        self._offline_heap: list[tuple[int, bytes]] = []
        self._dirty: dict[bytes, WorkerEconomics] = {}
        self._released = 0

    # --- formulas ---------------------------------------------------------------------------

    def initial_v(self, stake_pha: U64F64, score: int, conf_level: int) -> U64F64:
        """``Ve`` as the chain computes it at ``start_computing``."""
        return self.params.initial_v(stake_pha, score, conf_level)

    def minimum_stake(self, score: int) -> U64F64:
        """``S_min`` as the chain checks it at ``start_computing``."""
        return self.params.minimum_stake(score)

    def share_of(self, worker: WorkerEconomics) -> U64F64:
        """``√(V² + (2·P·conf)²)`` with Phala's 32-fraction-bit square root."""
        performance = worker.p_instant.mul_int(2) * worker.conf
        return (worker.v * worker.v + performance * performance).sqrt32()

    def advance(self, worker: WorkerEconomics, block: int) -> None:
        """Take the worker's per-block steps up to and including ``block``."""
        blocks = block - worker.updated_at
        if blocks <= 0:
            return
        params = self.params
        if worker.state is WorkerState.IDLE:
            ratio, rho1, cost = idle_step_constants(params, worker.p_instant, worker.p_bench)
            v, deductible = grow_idle(
                worker.v.bits,
                worker.v_deductible.bits,
                ratio,
                rho1,
                cost,
                params.v_max.bits,
                blocks,
            )
            worker.v, worker.v_deductible = U64F64(v), U64F64(deductible)
        else:
            worker.v = U64F64(slash(worker.v.bits, params.slash_rate.bits, blocks))
            worker.v_deductible = ZERO
        worker.updated_at = block

    def set_params(self, params: TokenomicParameters, last_block: int) -> None:
        """Switch parameters: every worker steps through ``last_block`` with the old ones."""
        for worker in self.workers.values():
            self.advance(worker, last_block)
        self.params = params

    # --- events -----------------------------------------------------------------------------

    def start(
        self,
        pubkey: bytes,
        block: int,
        *,
        score: int,
        conf_level: int,
        initial_v: U64F64,
        now_ms: int = 0,
    ) -> None:
        """A worker starts computing in ``block`` (time ``now_ms``) with V = Ve.

        Its first step is this block's; it counts in Σshare from the next block on.
        """
        p_bench = U64F64.from_int(score)
        worker = WorkerEconomics(
            p_bench=p_bench,
            p_instant=p_bench,
            conf=self.params.confidence_weight(conf_level),
            v=initial_v,
            v_deductible=ZERO,
            updated_at=block - 1,
            last_payout=block,
            challenge_time_last=now_ms,
        )
        self.workers[pubkey] = worker
        self._dirty[pubkey] = worker

    def adopt(self, pubkey: bytes, worker: WorkerEconomics) -> None:
        """Take over a worker restored from a checkpoint (Σshare is restored separately)."""
        self.workers[pubkey] = worker
        if worker.pending:
            heapq.heappush(self._offline_heap, (worker.pending[0], pubkey))

    def stop(self, pubkey: bytes, block: int) -> U64F64:
        """A worker stops computing in ``block`` (which it takes no step in); returns its V."""
        worker = self.workers.pop(pubkey)
        self.advance(worker, block - 1)
        self._dirty.pop(pubkey, None)
        self._released += worker.share.bits
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
        self,
        pubkey: bytes,
        block: int,
        challenge_block: int,
        *,
        now_ms: int = 0,
        iterations: int | None = None,
        challenge_time_ms: int = 0,
    ) -> Settlement | None:
        """Process a heartbeat answering ``challenge_block`` that landed in ``block``.

        With ``iterations`` the heartbeat also measures P (:func:`instant_performance`, from
        the block time ``now_ms`` and the challenge time of the previous heartbeat) before the
        payout, as Phala does. Returns None for a worker that is not computing or a challenge
        it was not given (P is still measured), a recovery for an unresponsive worker, or the
        settlement (possibly of nothing, as Phala reports it).
        """
        worker = self.workers.get(pubkey)
        if worker is None:
            return None
        matched = challenge_block in worker.pending
        if matched:
            while worker.pending and worker.pending[0] <= challenge_block:
                worker.pending.popleft()
            if worker.pending:
                heapq.heappush(self._offline_heap, (worker.pending[0], pubkey))
        self.advance(worker, block - 1)
        share_before = self.share_of(worker)
        if iterations is not None:
            worker.p_instant = instant_performance(
                worker.p_bench,
                worker.p_instant,
                worker.iteration_last,
                worker.challenge_time_last,
                iterations,
                now_ms,
            )
            worker.iteration_last = iterations
            worker.challenge_time_last = challenge_time_ms
        self._dirty[pubkey] = worker
        if not matched:
            return None
        worker.updated_at = block  # a heartbeat's block is neither grown nor slashed
        if worker.state is WorkerState.UNRESPONSIVE or worker.recovered_at == block:
            worker.state = WorkerState.IDLE
            worker.v_deductible = ZERO
            worker.last_payout = block
            worker.recovered_at = block
            return Settlement(pubkey, worker.v, 0, 0, recovered=True)
        total = self.total_share.bits - worker.share.bits + share_before.bits
        return self._pay(pubkey, worker, block, U64F64(max(total, 0)))

    def _pay(
        self, pubkey: bytes, worker: WorkerEconomics, block: int, total_share: U64F64
    ) -> Settlement:
        """Phala's ``update_v_heartbeat``: nothing when there is nothing to pay."""
        nothing = Settlement(pubkey, worker.v, 0, 0)
        if not total_share.bits or not worker.v_deductible.bits or block <= worker.last_payout:
            return nothing
        share = self.share_of(worker)
        if not share.bits:
            return nothing
        params = self.params
        per_block = (share / total_share).saturating_mul(params.budget_per_block)
        budget = U64F64(min(per_block.bits * (block - worker.last_payout), MAX_BITS))
        payout = budget * (ONE - params.treasury_ratio)
        treasury = budget * params.treasury_ratio
        worker.v = worker.v - min(worker.v_deductible, payout)
        worker.v_deductible = ZERO
        worker.last_payout = block
        return Settlement(
            pubkey,
            worker.v,
            fixed_to_planck(payout),
            fixed_to_planck(treasury),
            payout,
            treasury,
        )

    def on_block(self, block: int) -> list[bytes]:
        """End ``block``: time out overdue workers (returned), then update Σshare."""
        window = self.params.heartbeat_window
        offline: list[bytes] = []
        deferred: list[tuple[int, bytes]] = []
        heap = self._offline_heap
        while heap and block - heap[0][0] > window:
            challenged_at, pubkey = heapq.heappop(heap)
            worker = self.workers.get(pubkey)
            if worker is None or not worker.pending or worker.pending[0] != challenged_at:
                continue  # answered or stopped since; a stale heap entry
            if worker.state is not WorkerState.IDLE:
                continue
            if worker.recovered_at == block:
                deferred.append((challenged_at, pubkey))  # checked again next block, as Phala
                continue
            self.advance(worker, block - 1)
            worker.state = WorkerState.UNRESPONSIVE
            worker.updated_at = block - 1
            self.advance(worker, block)  # slashed from this block on
            self._dirty[pubkey] = worker
            offline.append(pubkey)
        for entry in deferred:
            heapq.heappush(heap, entry)
        self._count_shares(block)
        return offline

    def _count_shares(self, block: int) -> None:
        """Replace the terms of workers changed in ``block`` in Σshare (after its step)."""
        total = self.total_share.bits - self._released
        for worker in self._dirty.values():
            self.advance(worker, block)
            total -= worker.share.bits
            worker.share = self.share_of(worker) if worker.state is WorkerState.IDLE else ZERO
            total += worker.share.bits
        self._dirty.clear()
        self._released = 0
        self.total_share = U64F64(max(total, 0))

    def recomputed_share(self) -> U64F64:
        """Σshare recomputed from every worker's counted share (checks the incremental sum).

        Equal to :attr:`total_share` after each :meth:`on_block` (within a block, starts,
        stops and refreshes are counted at its end).
        """
        return U64F64(sum(worker.share.bits for worker in self.workers.values()))
