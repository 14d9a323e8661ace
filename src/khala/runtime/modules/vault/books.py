"""A vault's books: its value from its pools, its queue, and the cascade into pool withdrawals.

A vault's value is computed, never accumulated: its free PHA plus, for each pool it invested
in, its shares there (held and queued) at the pool's price. Pool rewards therefore raise the
vault's share price at once, and nothing has to notify the vault (Phala's value subscribers).
The queue arithmetic is the stake pools' (:mod:`khala.runtime.modules.stake_pool.ledger`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from khala.primitives.hashing import blake2_256
from khala.runtime.context import Context
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.stake_pool import state as pst
from khala.runtime.modules.stake_pool.ledger import pay, plan_queue
from khala.runtime.modules.stake_pool.math import bdiv, bmul, is_dust, share_price
from khala.runtime.modules.stake_pool.stake_calls import withdraw_as
from khala.runtime.modules.vault import events as ev
from khala.runtime.modules.vault import state as st
from khala.runtime.modules.vault.constants import ACCOUNT_DOMAIN
from khala.runtime.modules.vault.errors import VaultErrorCode, vault_error
from khala.runtime.modules.vault.types import VaultInfo
from khala.runtime.state import State


def vault_account(vid: int) -> bytes:
    """The keyless account of vault ``vid``."""
    return blake2_256(ACCOUNT_DOMAIN + vid.to_bytes(8, "little"))


def load(state: State, vid: int) -> VaultInfo:
    """Vault ``vid``.

    Raises:
        DispatchError: ``vault.vault_not_found``.
    """
    vault = st.VAULTS.get(state, vid)
    if vault is None:
        raise vault_error(VaultErrorCode.VAULT_NOT_FOUND, f"there is no vault #{vid}")
    return vault


def owned(state: State, vid: int, sender: bytes) -> VaultInfo:
    """Vault ``vid``, which ``sender`` must own."""
    vault = load(state, vid)
    if bytes(vault.owner) != sender:
        raise vault_error(VaultErrorCode.NOT_OWNER, f"only vault #{vid}'s owner may do this")
    return vault


def free(state: State, vault: VaultInfo) -> int:
    """The vault account's PHA beyond the deposit that keeps it alive."""
    return max(currency.free_balance(state, bytes(vault.pool_account)) - EXISTENTIAL_DEPOSIT, 0)


@dataclass(frozen=True, slots=True)
class Holding:
    """The vault's stake in one pool."""

    pid: int
    """The pool."""
    shares: int
    """Pool shares held."""
    queued: int
    """Pool shares the vault asked back, waiting in the pool's queue."""
    value: int
    """Both at the pool's price, in planck."""
    queued_value: int
    """The queued ones alone (releasing value)."""


def holdings(state: State, vault: VaultInfo) -> list[Holding]:
    """What the vault holds in each pool it invested in."""
    account = bytes(vault.pool_account)
    found = []
    for pid in vault.invest_pools:
        pool = pst.POOLS.get(state, pid)
        if pool is None:
            continue
        shares = pst.STAKES.get(state, pid, account)
        queued = sum(r.shares for r in pool.withdraw_queue if bytes(r.user) == account)
        price = share_price(pool.total_value, pool.total_shares)
        value = 0 if price is None else bmul(shares + queued, price)
        queued_value = 0 if price is None else bmul(queued, price)
        found.append(Holding(pid, shares, queued, value, queued_value))
    return found


def refresh(state: State, vault: VaultInfo) -> VaultInfo:
    """The vault with its value recomputed and pools it no longer holds anything in dropped."""
    held = holdings(state, vault)
    pools = [h.pid for h in held if h.shares or h.queued]
    value = free(state, vault) + sum(h.value for h in held)
    return replace(vault, total_value=value, invest_pools=pools)


def settle(state: State, ctx: Context, vault: VaultInfo) -> VaultInfo:
    """Pay the vault's queue from its free PHA; save; unlock when the queue is empty."""
    after, payments = plan_queue(refresh(state, vault), free(state, vault))
    st.VAULTS.insert(state, after.pid, after)
    pay(state, ctx, after, payments, ev.Withdrawal)
    if not after.withdraw_queue and st.LOCKS.get(state, after.pid):
        st.LOCKS.remove(state, after.pid)
        ctx.emit(ev.VaultUnlocked(after.pid))
    return after


def cascade(state: State, ctx: Context, vault: VaultInfo) -> None:
    """Ask the pools for what the vault's queue needs beyond its free and releasing PHA.

    Pools are asked in investment order, each for pool shares worth the remaining shortfall
    (or all the vault holds there); a pool pays at once what its free stake allows, which
    pays the vault's queue in turn (``stake_pool.paid``).
    """
    price = share_price(vault.total_value, vault.total_shares)
    if price is None or not vault.withdraw_queue:
        return
    owed = sum(bmul(request.shares, price) for request in vault.withdraw_queue)
    held = holdings(state, vault)
    shortfall = owed - free(state, vault) - sum(h.queued_value for h in held)
    for holding in held:
        if shortfall <= 0:
            return
        pool = pst.POOLS.get(state, holding.pid)
        pool_price = None if pool is None else share_price(pool.total_value, pool.total_shares)
        if pool_price is None or pool_price.bits == 0 or not holding.shares:
            continue
        wanted = min(bdiv(shortfall, pool_price) + 1, holding.shares)
        if is_dust(holding.shares - wanted):
            wanted = holding.shares
        if is_dust(wanted):
            continue
        withdraw_as(state, ctx, holding.pid, bytes(vault.pool_account), holding.queued + wanted)
        ctx.emit(ev.Divested(vault.pid, holding.pid, holding.queued + wanted))
        shortfall -= bmul(wanted, pool_price)


def withdraw_everything(state: State, ctx: Context, vault: VaultInfo) -> int:
    """Ask every pool for all the vault holds there; return how many pools were asked."""
    asked = 0
    for holding in holdings(state, vault):
        total = holding.shares + holding.queued
        if holding.shares and not is_dust(total):
            withdraw_as(state, ctx, holding.pid, bytes(vault.pool_account), total)
            asked += 1
    return asked
