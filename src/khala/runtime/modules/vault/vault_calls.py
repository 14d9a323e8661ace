"""Vault call handlers: create, commission, contribute, withdraw, invest, divest, owner shares."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from khala.primitives.units import fixed_to_planck, planck_to_fixed
from khala.runtime.context import Context, ensure_signed
from khala.runtime.errors import DispatchError
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.stake_pool.ledger import has_expired_withdrawal, queue_request
from khala.runtime.modules.stake_pool.math import PER_MILLION, bdiv, permill_of, share_price
from khala.runtime.modules.stake_pool.stake_calls import contribute_as, withdraw_as
from khala.runtime.modules.timestamp.state import now
from khala.runtime.modules.vault import events as ev
from khala.runtime.modules.vault import state as st
from khala.runtime.modules.vault.books import (
    cascade,
    free,
    holdings,
    load,
    owned,
    refresh,
    settle,
    vault_account,
    withdraw_everything,
)
from khala.runtime.modules.vault.constants import INITIAL_PRICE_CHECKPOINT, MAX_INVEST_POOLS
from khala.runtime.modules.vault.errors import VaultErrorCode, vault_error
from khala.runtime.modules.vault.types import VaultInfo
from khala.runtime.state import State

if TYPE_CHECKING:
    from khala.runtime.modules.vault.calls import (
        CheckAndMaybeForceWithdraw,
        ClaimOwnerShares,
        Contribute,
        Create,
        Divest,
        Invest,
        MaybeGainOwnerShares,
        SetCommission,
        Withdraw,
    )


def create(state: State, ctx: Context, args: Create) -> None:
    """Create a vault; the owner pays the 0.01 PHA that keeps its account alive."""
    owner = ensure_signed(ctx)
    if currency.can_withdraw(state, owner, EXISTENTIAL_DEPOSIT, keep_alive=True) is not None:
        raise vault_error(
            VaultErrorCode.INSUFFICIENT_BALANCE, "creating a vault needs 0.01 PHA besides the fee"
        )
    vid = st.VAULT_COUNT.get(state)
    account = vault_account(vid)
    currency.transfer(state, ctx, owner, account, EXISTENTIAL_DEPOSIT, keep_alive=True)
    vault = VaultInfo(vid, owner, 0, 0, 0, 0, INITIAL_PRICE_CHECKPOINT, [], [], account)
    st.VAULT_COUNT.put(state, vid + 1)
    st.VAULTS.insert(state, vid, vault)
    st.ACCOUNTS.insert(state, account, vid)
    ctx.emit(ev.VaultCreated(owner, vid, account))


def set_commission(state: State, ctx: Context, args: SetCommission) -> None:
    """Set the owner's commission on gains (applies from the next gain)."""
    vault = owned(state, args.pid, ensure_signed(ctx))
    if args.commission > PER_MILLION:
        raise vault_error(VaultErrorCode.INVALID_COMMISSION, "commission is at most 100 %")
    st.VAULTS.insert(state, args.pid, replace(vault, commission=args.commission))
    ctx.emit(ev.VaultCommissionSet(args.pid, args.commission))


def contribute(state: State, ctx: Context, args: Contribute) -> None:
    """Mint vault shares at the vault's price, then pay the vault's queue from the PHA."""
    who = ensure_signed(ctx)
    vault = refresh(state, load(state, args.pid))
    if args.amount < EXISTENTIAL_DEPOSIT:
        raise vault_error(
            VaultErrorCode.CONTRIBUTION_TOO_SMALL, "contributions are at least 0.01 PHA"
        )
    if vault.total_shares > 0 and vault.total_value == 0:
        raise vault_error(VaultErrorCode.VAULT_BANKRUPT, f"vault #{args.pid} has no value left")
    if currency.can_stake(state, who, args.amount) is not None:
        raise vault_error(
            VaultErrorCode.INSUFFICIENT_BALANCE,
            "the account cannot spend that much and keep 0.01 PHA",
        )
    price = share_price(vault.total_value, vault.total_shares)
    shares = args.amount if price is None or price.bits == 0 else bdiv(args.amount, price)
    currency.transfer_stake(state, ctx, who, bytes(vault.pool_account), args.amount)
    st.STAKES.insert(state, args.pid, who, st.STAKES.get(state, args.pid, who) + shares)
    grown = replace(vault, total_shares=vault.total_shares + shares)
    st.VAULTS.insert(state, args.pid, grown)
    ctx.emit(ev.Contribution(args.pid, who, args.amount, shares))
    settle(state, ctx, grown)


def withdraw(state: State, ctx: Context, args: Withdraw) -> None:
    """Queue a request; pay what free PHA allows; ask the pools for the shortfall."""
    who = ensure_signed(ctx)
    vault = refresh(state, load(state, args.pid))
    position = st.STAKES.get(state, args.pid, who)
    try:
        queued, left = queue_request(vault, position, who, args.shares, now(state) // 1000)
    except DispatchError as error:  # the pools' arithmetic; the vault's own code
        raise vault_error(VaultErrorCode.INVALID_WITHDRAWAL, error.message) from None
    if left:
        st.STAKES.insert(state, args.pid, who, left)
    else:
        st.STAKES.remove(state, args.pid, who)
    st.VAULTS.insert(state, args.pid, queued)
    ctx.emit(ev.WithdrawalQueued(args.pid, who, args.shares))
    after = settle(state, ctx, queued)
    if not st.LOCKS.get(state, args.pid):
        cascade(state, ctx, after)


def _unlocked(state: State, vault: VaultInfo) -> None:
    if st.LOCKS.get(state, vault.pid):
        raise vault_error(
            VaultErrorCode.VAULT_LOCKED,
            f"vault #{vault.pid} is paying out a forced withdrawal; wait until its queue is paid",
        )


def invest(state: State, ctx: Context, args: Invest) -> None:
    """Contribute vault PHA to a stake pool as the vault's account."""
    vault = refresh(state, owned(state, args.pid, ensure_signed(ctx)))
    _unlocked(state, vault)
    if free(state, vault) < args.amount:
        raise vault_error(
            VaultErrorCode.INSUFFICIENT_FREE,
            f"vault #{args.pid} has {free(state, vault)} planck free; "
            f"it cannot invest {args.amount}",
        )
    pools = list(vault.invest_pools)
    if args.pool not in pools:
        if len(pools) >= MAX_INVEST_POOLS:
            raise vault_error(VaultErrorCode.TOO_MANY_POOLS, f"at most {MAX_INVEST_POOLS} pools")
        pools.append(args.pool)
    st.VAULTS.insert(state, args.pid, replace(vault, invest_pools=pools))
    contribute_as(state, ctx, args.pool, bytes(vault.pool_account), args.amount)
    ctx.emit(ev.Invested(args.pid, args.pool, args.amount))
    settle(state, ctx, load(state, args.pid))


def divest(state: State, ctx: Context, args: Divest) -> None:
    """Ask a pool for the vault's pool shares back (the pool queues what it cannot pay)."""
    vault = refresh(state, owned(state, args.pid, ensure_signed(ctx)))
    _unlocked(state, vault)
    if args.pool not in [h.pid for h in holdings(state, vault)]:
        raise vault_error(
            VaultErrorCode.NOT_INVESTED, f"vault #{args.pid} holds nothing in pool #{args.pool}"
        )
    st.VAULTS.insert(state, args.pid, vault)
    withdraw_as(state, ctx, args.pool, bytes(vault.pool_account), args.shares)
    ctx.emit(ev.Divested(args.pid, args.pool, args.shares))
    settle(state, ctx, load(state, args.pid))


def maybe_gain_owner_shares(state: State, ctx: Context, args: MaybeGainOwnerShares) -> None:
    """Mint the commission on the price's rise since the checkpoint as owner shares (Phala's rule).

    ``delta = commission × (price − checkpoint)``; the price drops to ``price − delta`` by
    minting ``value / (price − delta) − shares`` new shares, which the owner may claim.
    """
    vault = refresh(state, owned(state, args.pid, ensure_signed(ctx)))
    price = share_price(vault.total_value, vault.total_shares)
    if price is None:
        return
    current = fixed_to_planck(price)
    if vault.last_share_price_checkpoint == 0:
        st.VAULTS.insert(state, args.pid, replace(vault, last_share_price_checkpoint=current))
        return
    if current <= vault.last_share_price_checkpoint:
        return
    delta = permill_of(vault.commission, current - vault.last_share_price_checkpoint)
    new_price = current - delta
    adjust = max(bdiv(vault.total_value, planck_to_fixed(new_price)) - vault.total_shares, 0)
    gained = replace(
        vault,
        total_shares=vault.total_shares + adjust,
        owner_shares=vault.owner_shares + adjust,
        last_share_price_checkpoint=new_price,
    )
    st.VAULTS.insert(state, args.pid, gained)
    ctx.emit(ev.OwnerSharesGained(args.pid, adjust, new_price))


def claim_owner_shares(state: State, ctx: Context, args: ClaimOwnerShares) -> None:
    """Move gained shares to ``target``'s position (they were counted in the total already)."""
    vault = owned(state, args.pid, ensure_signed(ctx))
    if args.shares == 0 or args.shares > vault.owner_shares:
        raise vault_error(
            VaultErrorCode.NO_OWNER_SHARES,
            f"the owner has {vault.owner_shares} unclaimed shares; ask for 1 to that many",
        )
    target = bytes(args.target)
    st.STAKES.insert(state, args.pid, target, st.STAKES.get(state, args.pid, target) + args.shares)
    st.VAULTS.insert(state, args.pid, replace(vault, owner_shares=vault.owner_shares - args.shares))
    ctx.emit(ev.OwnerSharesClaimed(args.pid, target, args.shares))


def check_and_maybe_force_withdraw(
    state: State, ctx: Context, args: CheckAndMaybeForceWithdraw
) -> None:
    """Anyone: pay the queue; if a request is overdue and uncovered, ask every pool back."""
    ensure_signed(ctx)
    vault = settle(state, ctx, load(state, args.pid))
    releasing = sum(h.queued_value for h in holdings(state, vault))
    grace = ctx.config.withdraw_grace_secs
    if not has_expired_withdrawal(vault, free(state, vault) + releasing, now(state) // 1000, grace):
        return
    asked = withdraw_everything(state, ctx, vault)
    st.LOCKS.insert(state, args.pid, True)
    ctx.emit(ev.ForcedWithdrawal(args.pid, asked))
    settle(state, ctx, load(state, args.pid))
