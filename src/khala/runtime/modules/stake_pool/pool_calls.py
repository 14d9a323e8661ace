"""Owner calls that configure a pool: create, commission, cap, whitelist, description, claim."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from khala.runtime.context import Context, ensure_signed
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.stake_pool import events as ev
from khala.runtime.modules.stake_pool import state as st
from khala.runtime.modules.stake_pool.constants import MAX_DESCRIPTION, MAX_WHITELIST
from khala.runtime.modules.stake_pool.errors import StakePoolErrorCode, pool_error
from khala.runtime.modules.stake_pool.ledger import owned, pool_accounts
from khala.runtime.modules.stake_pool.math import PER_MILLION
from khala.runtime.modules.stake_pool.types import PoolInfo
from khala.runtime.state import State

if TYPE_CHECKING:
    from khala.runtime.modules.stake_pool.calls import (
        AddStakerToWhitelist,
        ClaimOwnerRewards,
        Create,
        RemoveStakerFromWhitelist,
        SetCap,
        SetCommission,
        SetPoolDescription,
    )

POOL_DEPOSIT = 3 * EXISTENTIAL_DEPOSIT
"""What creating a pool costs its owner: 0.01 PHA into each of its three accounts, so none
is ever reaped below the existential deposit (a reaped account would refuse small payouts)."""


def create(state: State, ctx: Context, args: Create) -> None:
    """Create a pool: its id is the next in ``PoolCount``; the owner pays the deposit."""
    owner = ensure_signed(ctx)
    problem = currency.can_withdraw(state, owner, POOL_DEPOSIT, keep_alive=True)
    if problem is not None:
        raise pool_error(
            StakePoolErrorCode.INSUFFICIENT_BALANCE,
            "creating a pool needs 0.03 PHA (kept in its accounts) besides the fee",
        )
    pid = st.POOL_COUNT.get(state)
    pool_account, lock, owner_reward = pool_accounts(pid)
    for created in (pool_account, lock, owner_reward):
        currency.transfer(state, ctx, owner, created, EXISTENTIAL_DEPOSIT, keep_alive=True)
    pool = PoolInfo(
        pid=pid,
        owner=owner,
        total_shares=0,
        total_value=0,
        commission=0,
        cap=None,
        workers=[],
        cd_workers=[],
        withdraw_queue=[],
        pool_account=pool_account,
        lock_account=lock,
        owner_reward_account=owner_reward,
    )
    st.POOL_COUNT.put(state, pid + 1)
    st.POOLS.insert(state, pid, pool)
    st.LOCK_ACCOUNTS.insert(state, lock, pid)
    ctx.emit(ev.PoolCreated(owner, pid, pool_account))


def set_commission(state: State, ctx: Context, args: SetCommission) -> None:
    """Set the owner's commission (parts per million); it applies to later payouts."""
    pool = owned(state, args.pid, ensure_signed(ctx))
    if args.commission > PER_MILLION:
        raise pool_error(
            StakePoolErrorCode.INVALID_COMMISSION,
            f"commission {args.commission} ppm is above 1,000,000 (100 %)",
        )
    st.POOLS.insert(state, args.pid, replace(pool, commission=args.commission))
    ctx.emit(ev.PoolCommissionSet(args.pid, args.commission))


def set_cap(state: State, ctx: Context, args: SetCap) -> None:
    """Cap the pool's value (at least its current value), or remove the cap."""
    pool = owned(state, args.pid, ensure_signed(ctx))
    if args.cap is not None and args.cap < pool.total_value:
        raise pool_error(
            StakePoolErrorCode.CAP_TOO_LOW,
            f"the pool is worth {pool.total_value} planck already; the cap must be at least that",
        )
    st.POOLS.insert(state, args.pid, replace(pool, cap=args.cap))
    ctx.emit(ev.PoolCapacitySet(args.pid, args.cap))


def claim_owner_rewards(state: State, ctx: Context, args: ClaimOwnerRewards) -> None:
    """Send the accumulated commission (beyond the account's deposit) to ``target``."""
    pool = owned(state, args.pid, ensure_signed(ctx))
    source = bytes(pool.owner_reward_account)
    rewards = currency.free_balance(state, source) - EXISTENTIAL_DEPOSIT
    if rewards <= 0:
        raise pool_error(
            StakePoolErrorCode.NO_REWARD_TO_CLAIM, f"pool #{args.pid} has no commission to claim"
        )
    currency.transfer(state, ctx, source, bytes(args.target), rewards, keep_alive=True)
    ctx.emit(ev.OwnerRewardsWithdrawn(args.pid, args.target, rewards))


def add_staker_to_whitelist(state: State, ctx: Context, args: AddStakerToWhitelist) -> None:
    """Put ``staker`` on the whitelist (the first entry closes the pool to everyone else)."""
    owned(state, args.pid, ensure_signed(ctx))
    listed = st.WHITELISTS.get(state, args.pid)
    if bytes(args.staker) in [bytes(item) for item in listed]:
        raise pool_error(StakePoolErrorCode.ALREADY_WHITELISTED, "the account is already listed")
    if len(listed) >= MAX_WHITELIST:
        raise pool_error(
            StakePoolErrorCode.WHITELIST_FULL, f"a whitelist holds at most {MAX_WHITELIST}"
        )
    st.WHITELISTS.insert(state, args.pid, [*listed, args.staker])
    ctx.emit(ev.PoolWhitelistChanged(args.pid, args.staker, True))


def remove_staker_from_whitelist(
    state: State, ctx: Context, args: RemoveStakerFromWhitelist
) -> None:
    """Take ``staker`` off the whitelist (an empty whitelist opens the pool again)."""
    owned(state, args.pid, ensure_signed(ctx))
    listed = [bytes(item) for item in st.WHITELISTS.get(state, args.pid)]
    if bytes(args.staker) not in listed:
        raise pool_error(StakePoolErrorCode.NOT_IN_WHITELIST, "the account is not listed")
    remaining = [item for item in listed if item != bytes(args.staker)]
    if remaining:
        st.WHITELISTS.insert(state, args.pid, remaining)
    else:
        st.WHITELISTS.remove(state, args.pid)
    ctx.emit(ev.PoolWhitelistChanged(args.pid, args.staker, False))


def set_pool_description(state: State, ctx: Context, args: SetPoolDescription) -> None:
    """Describe the pool (UTF-8, at most 4,400 bytes)."""
    owned(state, args.pid, ensure_signed(ctx))
    if len(args.description) > MAX_DESCRIPTION:
        raise pool_error(
            StakePoolErrorCode.DESCRIPTION_TOO_LONG,
            f"the description has {len(args.description)} bytes; at most {MAX_DESCRIPTION}",
        )
    try:
        args.description.decode("utf-8")
    except UnicodeDecodeError:
        raise pool_error(
            StakePoolErrorCode.INVALID_DESCRIPTION, "the description is not UTF-8 text"
        ) from None
    st.DESCRIPTIONS.insert(state, args.pid, args.description)
    ctx.emit(ev.PoolDescriptionSet(args.pid))
