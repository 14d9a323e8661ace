"""Session calls: bind and unbind a worker, start and stop computing, reclaim the stake."""

from __future__ import annotations

from dataclasses import replace

from khala.primitives.fixed_point import ZERO
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import encode
from khala.primitives.units import planck_to_fixed
from khala.runtime.context import Context, ensure_signed
from khala.runtime.modules.balances import currency
from khala.runtime.modules.computation import events as ev
from khala.runtime.modules.computation import state as st
from khala.runtime.modules.computation.constants import (
    MIN_SCORE,
    PALLET_ID,
    RECLAIMED,
    SESSION_DOMAIN,
    WORKER_EVENT_TOPIC,
)
from khala.runtime.modules.computation.errors import ComputationErrorCode, computation_error
from khala.runtime.modules.computation.types import (
    ComputingStarted,
    ComputingStopped,
    SessionInfo,
    SessionState,
)
from khala.runtime.modules.mq.calls import send
from khala.runtime.modules.registry.state import worker_info
from khala.runtime.modules.registry.types import WorkerInfo
from khala.runtime.modules.timestamp.state import now
from khala.runtime.state import State


def session_account(owner: bytes, worker: bytes) -> bytes:
    """The keyless session account of ``owner`` computing with ``worker``."""
    return blake2_256(SESSION_DOMAIN + owner + worker)


def _registered(state: State, worker: bytes) -> WorkerInfo:
    info = worker_info(state, worker)
    if info is None:
        raise computation_error(
            ComputationErrorCode.WORKER_NOT_REGISTERED, f"worker 0x{worker.hex()} is not registered"
        )
    return info


def _owned_session(state: State, owner: bytes, worker: bytes) -> tuple[bytes, SessionInfo]:
    """The worker's session and record; ``owner`` must own it."""
    session = st.WORKER_BINDINGS.get(state, worker)
    record = None if session is None else st.SESSIONS.get(state, session)
    if session is None or record is None:
        raise computation_error(
            ComputationErrorCode.WORKER_NOT_BOUND, f"worker 0x{worker.hex()} is not bound; bind it"
        )
    if record.owner != owner:
        raise computation_error(ComputationErrorCode.NOT_OPERATOR, "you do not own this session")
    return session, record


def bind(state: State, ctx: Context, worker: bytes) -> None:
    """Bind a registered worker to the sender's session account (sender = its operator)."""
    sender = ensure_signed(ctx)
    info = _registered(state, worker)
    if info.operator != sender:
        raise computation_error(
            ComputationErrorCode.NOT_OPERATOR,
            "only the worker's registered operator may bind it (set `operator` at registration)",
        )
    bind_session(state, ctx, sender, worker)


def bind_session(state: State, ctx: Context, sender: bytes, worker: bytes) -> None:
    """Bind ``worker`` to a session owned by ``sender`` (for modules that checked who may).

    A stake pool binds its workers to sessions owned by its lock account this way.
    """
    _registered(state, worker)
    if st.WORKER_BINDINGS.get(state, worker) is not None:
        raise computation_error(
            ComputationErrorCode.DUPLICATE_BOUND_WORKER, "the worker is already bound; unbind it"
        )
    session = session_account(sender, worker)
    previous = st.SESSIONS.get(state, session)
    record = SessionInfo(
        owner=sender,
        state=SessionState.READY,
        session_id=0 if previous is None else previous.session_id,
        ve=ZERO,
        v=ZERO,
        v_updated_at=0,
        p_init=0,
        p_instant=0,
        iterations=0,
        challenge_time_last=0,
        cool_down_start=0,
        total_reward=0 if previous is None else previous.total_reward,
    )
    st.SESSIONS.insert(state, session, record)
    st.SESSION_BINDINGS.insert(state, session, worker)
    st.WORKER_BINDINGS.insert(state, worker, session)
    ctx.emit(ev.SessionBound(session, worker))


def unbind(state: State, ctx: Context, worker: bytes) -> None:
    """Unbind a worker whose session is Ready (stopped and reclaimed)."""
    unbind_session(state, ctx, ensure_signed(ctx), worker)


def unbind_session(state: State, ctx: Context, owner: bytes, worker: bytes) -> None:
    """Unbind ``owner``'s Ready session of ``worker``."""
    session, record = _owned_session(state, owner, worker)
    if record.state is not SessionState.READY:
        raise computation_error(
            ComputationErrorCode.NOT_READY,
            f"the session is {record.state.name}; stop computing and reclaim first",
        )
    st.SESSION_BINDINGS.remove(state, session)
    st.WORKER_BINDINGS.remove(state, worker)
    ctx.emit(ev.SessionUnbound(session, worker))


def start_computing(state: State, ctx: Context, worker: bytes, stake: int) -> None:
    """Start computing with ``stake`` reserved on the owner (checks S_min, Ve ≤ Vmax, score)."""
    start_session(state, ctx, ensure_signed(ctx), worker, stake)


def start_session(state: State, ctx: Context, owner: bytes, worker: bytes, stake: int) -> None:
    """Start ``owner``'s session of ``worker`` with ``stake`` reserved on ``owner``."""
    if not st.MINING_ENABLED.get(state):
        raise computation_error(
            ComputationErrorCode.MINING_NOT_ENABLED,
            "mining is not enabled yet; governance enables it at the scheduled block",
        )
    session, record = _owned_session(state, owner, worker)
    if record.state is not SessionState.READY:
        raise computation_error(
            ComputationErrorCode.NOT_READY, f"the session is {record.state.name}, not Ready"
        )
    info = _registered(state, worker)
    score = info.initial_score
    if score is None:
        raise computation_error(
            ComputationErrorCode.BENCHMARK_MISSING, "the worker has not reported its benchmark yet"
        )
    if score < MIN_SCORE:
        raise computation_error(
            ComputationErrorCode.SCORE_TOO_LOW,
            f"score {score} is below the minimum {MIN_SCORE}; register the worker again "
            "(restart its relayer) to benchmark it anew",
        )
    params = st.TOKENOMIC_PARAMETERS.get(state)
    stake_pha = planck_to_fixed(stake)
    minimum = params.minimum_stake_planck(score)
    if stake < minimum:
        raise computation_error(
            ComputationErrorCode.INSUFFICIENT_STAKE,
            f"stake {stake_pha.to_decimal(4)} PHA is below S_min = "
            f"{planck_to_fixed(minimum).to_decimal(4)} PHA",
        )
    ve = params.initial_v(stake_pha, score, info.confidence_level)
    if ve > params.v_max:
        raise computation_error(
            ComputationErrorCode.TOO_MUCH_STAKE,
            f"Ve {ve.to_decimal(4)} exceeds Vmax {params.v_max.to_decimal(0)}; stake less",
        )
    currency.reserve(state, ctx, record.owner, stake)
    st.STAKES.insert(state, session, stake)
    started = replace(
        record,
        state=SessionState.WORKER_IDLE,
        session_id=record.session_id + 1,
        ve=ve,
        v=ve,
        v_updated_at=ctx.env.number,
        p_init=score,
        p_instant=score,
        iterations=0,
        challenge_time_last=0,
        cool_down_start=0,
    )
    st.SESSIONS.insert(state, session, started)
    st.ONLINE_WORKERS.put(state, st.ONLINE_WORKERS.get(state) + 1)
    ctx.emit(ev.SessionStarted(session, ve, score))
    event = ComputingStarted(worker, started.session_id, ve, score, info.confidence_level)
    send(state, ctx, PALLET_ID, WORKER_EVENT_TOPIC, encode(event))


def stop_computing(state: State, ctx: Context, worker: bytes) -> None:
    """Stop computing: the session cools down, its stake stays reserved until reclaimed."""
    stop_session(state, ctx, ensure_signed(ctx), worker)


def stop_session(state: State, ctx: Context, owner: bytes, worker: bytes) -> None:
    """Stop ``owner``'s computing session of ``worker``."""
    session, record = _owned_session(state, owner, worker)
    if not record.state.computing():
        raise computation_error(
            ComputationErrorCode.NOT_COMPUTING, f"the session is {record.state.name}, not computing"
        )
    stopped = replace(
        record, state=SessionState.WORKER_COOLING_DOWN, cool_down_start=now(state) // 1000
    )
    st.SESSIONS.insert(state, session, stopped)
    st.ONLINE_WORKERS.put(state, st.ONLINE_WORKERS.get(state) - 1)
    ctx.emit(ev.SessionStopped(session))
    event = ComputingStopped(worker, record.session_id)
    send(state, ctx, PALLET_ID, WORKER_EVENT_TOPIC, encode(event))


def reclaim(state: State, ctx: Context, worker: bytes) -> None:
    """After the cool-down, return the stake to the owner (anyone may call this)."""
    ensure_signed(ctx)
    release_stake(state, ctx, worker, after_cool_down=True)


def release_stake(state: State, ctx: Context, worker: bytes, *, after_cool_down: bool) -> int:
    """Unreserve a cooling-down session's stake and make the session Ready; return the stake.

    ``after_cool_down=False`` skips the wait: a stake pool restarting a worker with more stake
    at once (the stake never leaves the pool). Announces ``computation.reclaimed``.
    """
    session = st.WORKER_BINDINGS.get(state, worker)
    record = None if session is None else st.SESSIONS.get(state, session)
    if session is None or record is None:
        raise computation_error(
            ComputationErrorCode.WORKER_NOT_BOUND, f"worker 0x{worker.hex()} is not bound"
        )
    if record.state is not SessionState.WORKER_COOLING_DOWN:
        raise computation_error(
            ComputationErrorCode.NOT_COOLING_DOWN, f"the session is {record.state.name}"
        )
    ends = record.cool_down_start + ctx.config.cool_down_secs
    if after_cool_down and now(state) // 1000 < ends:
        raise computation_error(
            ComputationErrorCode.COOL_DOWN_NOT_READY,
            f"the cool-down ends at unix time {ends}; reclaim after it",
        )
    stake = st.STAKES.get(state, session)
    currency.unreserve(state, ctx, record.owner, stake)
    st.STAKES.remove(state, session)
    st.SESSIONS.insert(state, session, replace(record, state=SessionState.READY, cool_down_start=0))
    ctx.emit(ev.SessionReclaimed(session, stake, 0))
    ctx.announce(state, RECLAIMED, bytes(record.owner), worker, stake, 0)
    return stake
