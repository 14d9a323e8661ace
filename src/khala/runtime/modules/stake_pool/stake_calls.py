"""Delegators' calls: contribute for shares, queue a withdrawal."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from khala.runtime.context import Context, ensure_signed
from khala.runtime.modules.balances import currency
from khala.runtime.modules.stake_pool import events as ev
from khala.runtime.modules.stake_pool import state as st
from khala.runtime.modules.stake_pool.constants import MIN_CONTRIBUTION
from khala.runtime.modules.stake_pool.errors import StakePoolErrorCode, pool_error
from khala.runtime.modules.stake_pool.ledger import (
    free_stake,
    load,
    pay,
    plan_queue,
    queue_request,
)
from khala.runtime.modules.stake_pool.math import bdiv, share_price
from khala.runtime.modules.timestamp.state import now
from khala.runtime.state import State

if TYPE_CHECKING:
    from khala.runtime.modules.stake_pool.calls import Contribute, Withdraw


def contribute(state: State, ctx: Context, args: Contribute) -> None:
    """Mint shares for ``amount`` at the pool's price, then pay queued withdrawals from it.

    The cap is checked after the queue is paid (a contribution that lets waiting delegators
    leave does not raise the value by its full amount), as Phala checks it.
    """
    contribute_as(state, ctx, args.pid, ensure_signed(ctx), args.amount)


def contribute_as(state: State, ctx: Context, pid: int, who: bytes, amount: int) -> int:
    """Contribute ``amount`` from ``who`` (a signer, or a vault's account); return the shares."""
    pool = load(state, pid)
    if amount < MIN_CONTRIBUTION:
        raise pool_error(
            StakePoolErrorCode.CONTRIBUTION_TOO_SMALL, "contributions are at least 0.01 PHA"
        )
    listed = [bytes(item) for item in st.WHITELISTS.get(state, pid)]
    if listed and who not in listed and who != bytes(pool.owner):
        raise pool_error(
            StakePoolErrorCode.NOT_WHITELISTED, f"pool #{pid} takes whitelisted stakers only"
        )
    if pool.total_shares > 0 and pool.total_value == 0:
        raise pool_error(
            StakePoolErrorCode.POOL_BANKRUPT, f"pool #{pid} has shares but no value left"
        )
    if currency.can_stake(state, who, amount) is not None:
        raise pool_error(
            StakePoolErrorCode.INSUFFICIENT_BALANCE,
            "the account cannot stake that much and keep 0.01 PHA (vesting-locked PHA counts)",
        )
    price = share_price(pool.total_value, pool.total_shares)
    shares = amount if price is None or price.bits == 0 else bdiv(amount, price)
    grown = replace(
        pool, total_shares=pool.total_shares + shares, total_value=pool.total_value + amount
    )
    after, payments = plan_queue(grown, free_stake(state, pool) + amount)
    if after.cap is not None and after.total_value > after.cap:
        raise pool_error(
            StakePoolErrorCode.CAP_EXCEEDED,
            f"pool #{pid} is capped at {after.cap} planck; it is worth {pool.total_value}",
        )
    currency.transfer_stake(state, ctx, who, bytes(pool.pool_account), amount)
    st.STAKES.insert(state, pid, who, st.STAKES.get(state, pid, who) + shares)
    st.POOLS.insert(state, pid, after)
    ctx.emit(ev.Contribution(pid, who, amount, shares))
    pay(state, ctx, after, payments)
    return shares


def withdraw(state: State, ctx: Context, args: Withdraw) -> None:
    """Queue a request for ``shares`` (replacing the earlier one) and pay what free stake allows."""
    withdraw_as(state, ctx, args.pid, ensure_signed(ctx), args.shares)


def withdraw_as(state: State, ctx: Context, pid: int, who: bytes, shares: int) -> None:
    """Queue ``who``'s request (a signer, or a vault's account) and pay what free stake allows.

    The pool is saved before the payments, so a vault hearing of one sees the pool as it is.
    """
    pool = load(state, pid)
    position = st.STAKES.get(state, pid, who)
    queued, left = queue_request(pool, position, who, shares, now(state) // 1000)
    after, payments = plan_queue(queued, free_stake(state, pool))
    if left:
        st.STAKES.insert(state, pid, who, left)
    else:
        st.STAKES.remove(state, pid, who)
    st.POOLS.insert(state, pid, after)
    ctx.emit(ev.WithdrawalQueued(pid, who, shares))
    pay(state, ctx, after, payments)
