"""Computation's on-chain message handlers: workers' heartbeats and gatekeepers' settlements.

mq has checked each message's signature and sequence before routing it here. A handler that
raises leaves no writes; mq records the refusal and still consumes the sequence.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from khala.primitives.fixed_point import U64F64
from khala.runtime.context import Context
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.computation import events as ev
from khala.runtime.modules.computation import state as st
from khala.runtime.modules.computation import topics
from khala.runtime.modules.computation.challenge import instant_performance
from khala.runtime.modules.computation.constants import REWARDED, SUBSIDY_ACCOUNT
from khala.runtime.modules.computation.errors import ComputationErrorCode, computation_error
from khala.runtime.modules.computation.types import (
    Heartbeat,
    SessionInfo,
    SessionState,
)
from khala.runtime.modules.mq.routing import decode_payload
from khala.runtime.modules.mq.types import GatekeeperOrigin, Message, WorkerOrigin
from khala.runtime.modules.payment.constants import TREASURY_ACCOUNT
from khala.runtime.modules.timestamp.state import now
from khala.runtime.state import State
from khala.runtime.topic import Topic

T = TypeVar("T")


def _payload(topic: Topic[T], message: Message) -> T:
    return decode_payload(
        topic,
        message,
        lambda reason: computation_error(ComputationErrorCode.MALFORMED_MESSAGE, reason),
    )


def _session_of(storage: State, worker: bytes) -> tuple[bytes, SessionInfo] | None:
    session = st.WORKER_BINDINGS.get(storage, worker)
    record = None if session is None else st.SESSIONS.get(storage, session)
    if session is None or record is None:
        return None
    return session, record


def p_instant(record: SessionInfo, beat: Heartbeat, now_ms: int) -> int:
    """The session's performance after ``beat`` landing at ``now_ms``, for display (whole units).

    The gatekeepers' measurement (:func:`instant_performance`, U64F64, from the session's
    start) decides shares; the chain keeps the integer part for status displays, measured
    from the previous heartbeat (the first heartbeat keeps the start score).
    """
    if not record.challenge_time_last:
        return record.p_instant
    return instant_performance(
        U64F64.from_int(record.p_init),
        U64F64.from_int(record.p_instant),
        record.iterations,
        record.challenge_time_last * 1000,
        beat.iterations,
        now_ms,
    ).to_int()


def on_heartbeat(storage: State, ctx: Context, message: Message) -> None:
    """Record a computing worker's heartbeat (the gatekeepers settle it off chain)."""
    sender = message.sender
    if not isinstance(sender, WorkerOrigin):
        raise computation_error(
            ComputationErrorCode.WORKER_NOT_BOUND, "heartbeats come from workers"
        )
    found = _session_of(storage, bytes(sender.pubkey))
    if found is None:
        raise computation_error(ComputationErrorCode.WORKER_NOT_BOUND, "the worker is not bound")
    session, record = found
    if not record.state.computing():
        raise computation_error(ComputationErrorCode.NOT_COMPUTING, "the worker is not computing")
    beat = _payload(topics.HEARTBEAT, message)
    if (
        beat.session_id != record.session_id
        or beat.challenge_block >= ctx.env.number
        or beat.iterations < record.iterations
        or beat.challenge_time < record.challenge_time_last
    ):
        raise computation_error(
            ComputationErrorCode.BAD_HEARTBEAT,
            f"heartbeat for session {beat.session_id} block {beat.challenge_block} does not "
            f"follow session {record.session_id}'s last one",
        )
    updated = replace(
        record,
        p_instant=p_instant(record, beat, now(storage)),
        iterations=beat.iterations,
        challenge_time_last=beat.challenge_time,
    )
    st.SESSIONS.insert(storage, session, updated)
    ctx.emit(ev.HeartbeatReceived(session, beat.challenge_block))


def _transition(
    storage: State,
    ctx: Context,
    worker: bytes,
    before: SessionState,
    after: SessionState,
    block: int,
) -> None:
    found = _session_of(storage, worker)
    if found is None or found[1].state is not before:
        return  # stopped or unbound since the gatekeepers computed this; nothing to change
    session, record = found
    st.SESSIONS.insert(storage, session, replace(record, state=after))
    st.RESPONSIVENESS.insert(storage, session, (after is SessionState.WORKER_UNRESPONSIVE, block))
    if after is SessionState.WORKER_UNRESPONSIVE:
        ctx.emit(ev.WorkerEnterUnresponsive(session))
    else:
        ctx.emit(ev.WorkerExitUnresponsive(session))


def on_settlement(storage: State, ctx: Context, message: Message) -> None:
    """Apply the gatekeepers' per-block settlement: states, V, payouts, treasury."""
    if not isinstance(message.sender, GatekeeperOrigin):
        raise computation_error(
            ComputationErrorCode.NOT_GATEKEEPER, "settlements must be signed by the master key"
        )
    update = _payload(topics.SETTLE, message)
    if update.block_number <= st.LAST_SETTLED_BLOCK.get(storage):
        ctx.emit(ev.SettlementDropped(update.block_number))
        return
    st.LAST_SETTLED_BLOCK.put(storage, update.block_number)
    for worker in update.offline:
        _transition(
            storage,
            ctx,
            worker,
            SessionState.WORKER_IDLE,
            SessionState.WORKER_UNRESPONSIVE,
            update.block_number,
        )
    for worker in update.recovered_to_online:
        _transition(
            storage,
            ctx,
            worker,
            SessionState.WORKER_UNRESPONSIVE,
            SessionState.WORKER_IDLE,
            update.block_number,
        )
    for item in update.settle:
        found = _session_of(storage, item.pubkey)
        if found is None:
            continue
        session, record = found
        if record.v_updated_at >= update.block_number:
            ctx.emit(ev.SessionSettlementDropped(session, item.v, item.payout))
            continue
        paid = _pay(storage, ctx, session, record.owner, item.payout, item.treasury)
        if paid:
            ctx.announce(storage, REWARDED, bytes(record.owner), bytes(item.pubkey), item.payout)
        settled = replace(
            record,
            v=U64F64(item.v),
            v_updated_at=update.block_number,
            total_reward=record.total_reward + paid,
        )
        st.SESSIONS.insert(storage, session, settled)
        ctx.emit(ev.SessionSettled(session, settled.v, paid))


def _pay(
    storage: State, ctx: Context, session: bytes, owner: bytes, payout: int, treasury: int
) -> int:
    """Pay a settled session's payout and treasury share from the subsidy; return the payout.

    When the subsidy (kept alive) cannot pay both, neither is paid: both are added to
    ``UnpaidRewards`` and ``RewardUnpaid`` says so; the settlement's states and V apply anyway.
    """
    if not payout and not treasury:
        return 0
    available = currency.free_balance(storage, SUBSIDY_ACCOUNT) - EXISTENTIAL_DEPOSIT
    if available < payout + treasury:
        owed_payout, owed_treasury = st.UNPAID_REWARDS.get(storage, session)
        st.UNPAID_REWARDS.insert(storage, session, (owed_payout + payout, owed_treasury + treasury))
        ctx.emit(ev.RewardUnpaid(session, payout, treasury))
        return 0
    for dest, amount in ((owner, payout), (TREASURY_ACCOUNT, treasury)):
        if amount:
            currency.transfer(storage, ctx, SUBSIDY_ACCOUNT, dest, amount, keep_alive=True)
    return payout
