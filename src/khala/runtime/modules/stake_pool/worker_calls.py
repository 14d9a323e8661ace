"""Pool workers: add and remove, start and stop, reclaim, restart, the forced shutdown.

A pool worker's session is owned by the pool's lock account, so only these calls (which check
the pool's owner) can start, stop or unbind it; anyone may reclaim after the cool-down, and
the stake then returns to the pool whichever way the reclaim came (``listeners.py``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from khala.runtime.context import Context, ensure_signed
from khala.runtime.modules.balances import currency
from khala.runtime.modules.computation import sessions
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.types import SessionState
from khala.runtime.modules.registry.state import worker_info
from khala.runtime.modules.stake_pool import events as ev
from khala.runtime.modules.stake_pool import state as st
from khala.runtime.modules.stake_pool.constants import MAX_POOL_WORKERS
from khala.runtime.modules.stake_pool.errors import StakePoolErrorCode, pool_error
from khala.runtime.modules.stake_pool.ledger import (
    free_stake,
    has_expired_withdrawal,
    load,
    owned,
    releasing_stake,
    settle_queue,
    worker_session,
)
from khala.runtime.modules.stake_pool.types import PoolInfo
from khala.runtime.modules.timestamp.state import now
from khala.runtime.state import State

if TYPE_CHECKING:
    from khala.runtime.modules.stake_pool.calls import (
        AddWorker,
        CheckAndMaybeForceWithdraw,
        ReclaimPoolWorker,
        RemoveWorker,
        RestartComputing,
        StartComputing,
        StopComputing,
    )


def _member(pool: PoolInfo, worker: bytes) -> None:
    if worker not in [bytes(w) for w in pool.workers]:
        raise pool_error(
            StakePoolErrorCode.WORKER_NOT_IN_POOL,
            f"worker 0x{worker.hex()} is not in pool #{pool.pid}",
        )


def add_worker(state: State, ctx: Context, args: AddWorker) -> None:
    """Add a worker the owner operates; it is bound to a session the lock account owns."""
    owner = ensure_signed(ctx)
    worker = bytes(args.worker)
    info = worker_info(state, worker)
    if info is None:
        raise pool_error(
            StakePoolErrorCode.WORKER_NOT_REGISTERED, f"worker 0x{worker.hex()} is not registered"
        )
    if info.operator is None or bytes(info.operator) != owner:
        raise pool_error(
            StakePoolErrorCode.NOT_OPERATOR,
            "the worker's registered operator must be the pool's owner",
        )
    if info.initial_score is None:
        raise pool_error(
            StakePoolErrorCode.BENCHMARK_MISSING, "the worker has not reported its benchmark yet"
        )
    pool = owned(state, args.pid, owner)
    if st.WORKER_ASSIGNMENTS.get(state, worker) is not None:
        raise pool_error(StakePoolErrorCode.WORKER_IN_POOL, "the worker is already in a pool")
    if len(pool.workers) >= MAX_POOL_WORKERS:
        raise pool_error(
            StakePoolErrorCode.TOO_MANY_WORKERS, f"a pool has at most {MAX_POOL_WORKERS} workers"
        )
    sessions.bind_session(state, ctx, bytes(pool.lock_account), worker)
    st.WORKER_ASSIGNMENTS.insert(state, worker, args.pid)
    st.POOLS.insert(state, args.pid, replace(pool, workers=[*pool.workers, worker]))
    ctx.emit(ev.PoolWorkerAdded(args.pid, worker, worker_session(pool, worker)))


def remove_worker(state: State, ctx: Context, args: RemoveWorker) -> None:
    """Remove a Ready worker (stopped and reclaimed): its session is unbound."""
    pool = owned(state, args.pid, ensure_signed(ctx))
    worker = bytes(args.worker)
    _member(pool, worker)
    record = cst.SESSIONS.get(state, worker_session(pool, worker))
    if record is None or record.state is not SessionState.READY:
        raise pool_error(
            StakePoolErrorCode.WORKER_NOT_READY,
            "the worker must be Ready: stop it, wait for the cool-down and reclaim it first",
        )
    sessions.unbind_session(state, ctx, bytes(pool.lock_account), worker)
    st.WORKER_ASSIGNMENTS.remove(state, worker)
    workers = [w for w in pool.workers if bytes(w) != worker]
    st.POOLS.insert(state, args.pid, replace(pool, workers=workers))
    ctx.emit(ev.PoolWorkerRemoved(args.pid, worker))


def _start(state: State, ctx: Context, pool: PoolInfo, worker: bytes, stake: int) -> None:
    """Move ``stake`` of free stake to the lock account and start the session with it."""
    _member(pool, worker)
    free = free_stake(state, pool)
    if free < stake:
        raise pool_error(
            StakePoolErrorCode.INSUFFICIENT_FREE_STAKE,
            f"pool #{pool.pid} has {free} planck of free stake; the worker needs {stake}",
        )
    lock = bytes(pool.lock_account)
    currency.transfer(state, ctx, bytes(pool.pool_account), lock, stake, keep_alive=True)
    sessions.start_session(state, ctx, lock, worker, stake)
    ctx.emit(ev.WorkingStarted(pool.pid, worker, stake))


def start_computing(state: State, ctx: Context, args: StartComputing) -> None:
    """Start a pool worker with part of the pool's free stake."""
    pool = owned(state, args.pid, ensure_signed(ctx))
    _start(state, ctx, pool, bytes(args.worker), args.stake)


def _stop(state: State, ctx: Context, pool: PoolInfo, worker: bytes) -> PoolInfo:
    if worker in [bytes(w) for w in pool.cd_workers]:
        raise pool_error(StakePoolErrorCode.WORKER_ALREADY_STOPPED, "the worker is cooling down")
    sessions.stop_session(state, ctx, bytes(pool.lock_account), worker)
    stopped = replace(pool, cd_workers=[*pool.cd_workers, worker])
    st.POOLS.insert(state, pool.pid, stopped)
    return stopped


def stop_computing(state: State, ctx: Context, args: StopComputing) -> None:
    """Stop a pool worker: it cools down; its stake counts as releasing until reclaimed."""
    pool = owned(state, args.pid, ensure_signed(ctx))
    worker = bytes(args.worker)
    _member(pool, worker)
    _stop(state, ctx, pool, worker)


def reclaim_pool_worker(state: State, ctx: Context, args: ReclaimPoolWorker) -> None:
    """Anyone: after the cool-down, the stake returns to free stake and pays the queue."""
    ensure_signed(ctx)
    pool = load(state, args.pid)
    worker = bytes(args.worker)
    _member(pool, worker)
    sessions.release_stake(state, ctx, worker, after_cool_down=True)


def restart_computing(state: State, ctx: Context, args: RestartComputing) -> None:
    """Stop and restart a computing worker at once with more stake (queue must be empty)."""
    pool = owned(state, args.pid, ensure_signed(ctx))
    worker = bytes(args.worker)
    _member(pool, worker)
    if pool.withdraw_queue:
        raise pool_error(
            StakePoolErrorCode.WITHDRAW_QUEUE_NOT_EMPTY,
            "queued withdrawals come first: restart once they are paid",
        )
    current = cst.STAKES.get(state, worker_session(pool, worker))
    if args.stake <= current:
        raise pool_error(
            StakePoolErrorCode.RESTART_WITH_LESS_STAKE,
            f"the worker stakes {current} planck; restart with more",
        )
    _stop(state, ctx, pool, worker)
    sessions.release_stake(state, ctx, worker, after_cool_down=False)
    _start(state, ctx, load(state, args.pid), worker, args.stake)


def check_and_maybe_force_withdraw(
    state: State, ctx: Context, args: CheckAndMaybeForceWithdraw
) -> None:
    """Anyone: pay what free stake allows; stop every computing worker if a request is overdue.

    Overdue: the first request that free plus releasing stake cannot cover has waited longer
    than the grace period. Only this pool is examined (no per-block scan over pools).
    """
    ensure_signed(ctx)
    pool = settle_queue(state, ctx, load(state, args.pid))
    budget = free_stake(state, pool) + releasing_stake(state, pool)
    grace = ctx.config.withdraw_grace_secs
    if not has_expired_withdrawal(pool, budget, now(state) // 1000, grace):
        return
    stopped = 0
    for worker in [bytes(w) for w in pool.workers]:
        record = cst.SESSIONS.get(state, worker_session(pool, worker))
        if record is None or not record.state.computing():
            continue
        pool = _stop(state, ctx, pool, worker)
        stopped += 1
    ctx.emit(ev.ForcedShutdown(args.pid, stopped))
