"""What a pool does when computation announces a reward or a reclaim for one of its sessions.

Pool sessions are owned by the pool's lock account, so computation pays their payouts and
unreserves their stake there; these listeners move the money on at once. Solo sessions
(owned by an operator) are not the pool's business and pass through untouched.
"""

from __future__ import annotations

from dataclasses import replace

from khala.runtime.context import Context
from khala.runtime.modules.balances import currency
from khala.runtime.modules.computation.constants import SUBSIDY_ACCOUNT
from khala.runtime.modules.stake_pool import events as ev
from khala.runtime.modules.stake_pool import state as st
from khala.runtime.modules.stake_pool.ledger import load, settle_queue
from khala.runtime.modules.stake_pool.math import is_dust, permill_of
from khala.runtime.state import State


def on_rewarded(state: State, ctx: Context, owner: bytes, worker: bytes, payout: int) -> None:
    """Split a pool worker's payout: commission to the owner-reward account, the rest to value.

    The rest raises ``total_value`` (the share price) for every delegator. A pool without
    shares has nobody to credit: the payout returns to the mining subsidy.
    """
    pid = st.LOCK_ACCOUNTS.get(state, owner)
    if pid is None:
        return
    pool = load(state, pid)
    if is_dust(pool.total_shares):
        currency.transfer(state, ctx, owner, SUBSIDY_ACCOUNT, payout, keep_alive=True)
        ctx.emit(ev.RewardDismissedNoShare(pid, payout))
        return
    commission = permill_of(pool.commission, payout)
    to_stakers = payout - commission
    if commission:
        reward_account = bytes(pool.owner_reward_account)
        currency.transfer(state, ctx, owner, reward_account, commission, keep_alive=True)
    if to_stakers:
        pool_account = bytes(pool.pool_account)
        currency.transfer(state, ctx, owner, pool_account, to_stakers, keep_alive=True)
    st.POOLS.insert(state, pid, replace(pool, total_value=pool.total_value + to_stakers))
    ctx.emit(ev.RewardReceived(pid, commission, to_stakers))


def on_reclaimed(
    state: State, ctx: Context, owner: bytes, worker: bytes, stake: int, slashed: int
) -> None:
    """Return a reclaimed pool worker's stake to free stake and pay the queue from it."""
    pid = st.LOCK_ACCOUNTS.get(state, owner)
    if pid is None:
        return
    pool = load(state, pid)
    returned = stake - slashed
    if returned:
        currency.transfer(state, ctx, owner, bytes(pool.pool_account), returned, keep_alive=True)
    value = pool.total_value - slashed
    cooling = [w for w in pool.cd_workers if bytes(w) != worker]
    pool = replace(pool, cd_workers=cooling, total_value=0 if is_dust(value) else value)
    ctx.emit(ev.WorkerReclaimed(pid, worker, returned))
    settle_queue(state, ctx, pool)
