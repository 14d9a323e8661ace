"""A pool's books: accounts, shares, the withdraw queue, payouts of queued requests.

The queue is planned as a pure function of the pool record and its free stake
(:func:`plan_queue`), so a call can check everything (the cap, balances) before it writes;
:func:`pay` then makes the planned payments. Rounding follows Phala's ``base_pool``
(:mod:`khala.runtime.modules.stake_pool.math`): shares and amounts round down, request and
pool remainders at or below 1,000 planck are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar, cast

from khala.primitives.hashing import blake2_256
from khala.runtime.context import Context
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.sessions import session_account
from khala.runtime.modules.stake_pool import events as ev
from khala.runtime.modules.stake_pool import state as st
from khala.runtime.modules.stake_pool.constants import (
    ACCOUNT_DOMAIN,
    LOCK_DOMAIN,
    OWNER_REWARD_DOMAIN,
    PAID,
)
from khala.runtime.modules.stake_pool.errors import StakePoolErrorCode, pool_error
from khala.runtime.modules.stake_pool.math import bdiv, bmul, is_dust, share_price
from khala.runtime.modules.stake_pool.types import PoolInfo, WithdrawRequest
from khala.runtime.modules.system.state import account
from khala.runtime.state import State


class Book(Protocol):
    """What the queue arithmetic needs of a pool or a vault (both are dataclasses)."""

    @property
    def pid(self) -> int:
        """Its id."""
        ...

    @property
    def total_shares(self) -> int:
        """Shares issued."""
        ...

    @property
    def total_value(self) -> int:
        """What they are worth."""
        ...

    @property
    def withdraw_queue(self) -> list[WithdrawRequest]:
        """Waiting requests."""
        ...

    @property
    def pool_account(self) -> bytes:
        """The account free stake sits in."""
        ...


B = TypeVar("B", bound=Book)


def pool_accounts(pid: int) -> tuple[bytes, bytes, bytes]:
    """(pool account, lock account, owner-reward account) of pool ``pid`` (keyless)."""
    suffix = pid.to_bytes(8, "little")  # SCALE u64
    return (
        blake2_256(ACCOUNT_DOMAIN + suffix),
        blake2_256(LOCK_DOMAIN + suffix),
        blake2_256(OWNER_REWARD_DOMAIN + suffix),
    )


def worker_session(pool: PoolInfo, worker: bytes) -> bytes:
    """The session account of a pool worker (owned by the pool's lock account)."""
    return session_account(bytes(pool.lock_account), worker)


def load(state: State, pid: int) -> PoolInfo:
    """The pool ``pid``.

    Raises:
        DispatchError: ``stake_pool.pool_not_found``.
    """
    pool = st.POOLS.get(state, pid)
    if pool is None:
        raise pool_error(StakePoolErrorCode.POOL_NOT_FOUND, f"there is no pool #{pid}")
    return pool


def owned(state: State, pid: int, sender: bytes) -> PoolInfo:
    """The pool ``pid``, which ``sender`` must own.

    Raises:
        DispatchError: ``stake_pool.pool_not_found`` or ``stake_pool.not_owner``.
    """
    pool = load(state, pid)
    if bytes(pool.owner) != sender:
        raise pool_error(StakePoolErrorCode.NOT_OWNER, f"only pool #{pid}'s owner may do this")
    return pool


def free_stake(state: State, pool: PoolInfo) -> int:
    """PHA in the pool account beyond the deposit that keeps it alive."""
    return max(currency.free_balance(state, bytes(pool.pool_account)) - EXISTENTIAL_DEPOSIT, 0)


def releasing_stake(state: State, pool: PoolInfo) -> int:
    """Stake of the pool's cooling-down workers (read from computation, never cached)."""
    return sum(cst.STAKES.get(state, worker_session(pool, bytes(w))) for w in pool.cd_workers)


def bound_stake(state: State, pool: PoolInfo) -> int:
    """Stake of all the pool's workers (computing and cooling down)."""
    return sum(cst.STAKES.get(state, worker_session(pool, bytes(w))) for w in pool.workers)


@dataclass(frozen=True, slots=True)
class Payment:
    """A planned payment of (part of) a queued withdrawal."""

    user: bytes
    """Who is paid."""
    amount: int
    """PHA paid."""
    shares: int
    """Shares burnt for it (with a dropped dust remainder)."""


def plan_queue(pool: B, free: int) -> tuple[B, list[Payment]]:
    """Pay queued requests in order from ``free`` stake; return the pool after, and payments.

    The price is taken once, before any payment (it does not change: value and shares fall
    together). A request is paid as far as free stake goes; a remainder at or below dust is
    dropped with it. Stops when free stake is dust or the queue is empty.
    """
    price = share_price(pool.total_value, pool.total_shares)
    if price is None:
        return pool, []
    queue = list(pool.withdraw_queue)
    total_shares, total_value = pool.total_shares, pool.total_value
    payments: list[Payment] = []
    while queue and not is_dust(free):
        request = queue[0]
        free_shares = bdiv(free, price) if price.bits else request.shares
        withdrawing = min(free_shares, request.shares)
        if withdrawing == 0:
            break  # the free stake is worth less than one share unit
        amount = min(bmul(withdrawing, price), free)
        remaining = request.shares - withdrawing
        removed = withdrawing + (remaining if is_dust(remaining) else 0)
        remaining = 0 if is_dust(remaining) else remaining
        total_shares -= removed
        total_value = 0 if is_dust(total_value - amount) else total_value - amount
        free -= amount
        payments.append(Payment(bytes(request.user), amount, removed))
        if remaining:
            queue[0] = replace(request, shares=remaining)
        else:
            queue.pop(0)
    changes = {"total_shares": total_shares, "total_value": total_value, "withdraw_queue": queue}
    return cast(B, replace(cast(Any, pool), **changes)), payments


def pay(
    state: State,
    ctx: Context,
    pool: Book,
    payments: list[Payment],
    event: Callable[[int, bytes, int, int], Any] = ev.Withdrawal,
) -> None:
    """Make planned payments from the pool account, emitting ``event`` (``Withdrawal``) for each.

    Each payment is announced as ``stake_pool.paid`` (a vault that delegated hears of it).

    A payment below 0.01 PHA to an account that no longer exists cannot create it: that dust
    is burnt (``WithdrawalDustBurned``), as Substrate drops deposits below the existential
    deposit, rather than blocking the queue behind it.
    """
    source = bytes(pool.pool_account)
    for payment in payments:
        if payment.amount:
            receiver = account(state, payment.user)
            if receiver.providers == 0 and payment.amount < EXISTENTIAL_DEPOSIT:
                currency.withdraw(state, ctx, source, payment.amount, keep_alive=True)
                currency.deposit(state, ctx, payment.user, payment.amount)
                ctx.emit(ev.WithdrawalDustBurned(pool.pid, payment.user, payment.amount))
            else:
                currency.transfer(state, ctx, source, payment.user, payment.amount, keep_alive=True)
        ctx.emit(event(pool.pid, payment.user, payment.amount, payment.shares))
        ctx.announce(state, PAID, payment.user, payment.amount)


def settle_queue(state: State, ctx: Context, pool: PoolInfo) -> PoolInfo:
    """Pay what free stake allows now, save and return the pool (saved before paying)."""
    after, payments = plan_queue(pool, free_stake(state, pool))
    st.POOLS.insert(state, after.pid, after)
    pay(state, ctx, after, payments)
    return after


def queue_request(pool: B, position: int, user: bytes, shares: int, now_s: int) -> tuple[B, int]:
    """Queue ``user``'s request for ``shares``, replacing its earlier one.

    The earlier request's shares return to the position first, so the request may use them.
    Returns the pool and the user's new position.

    Raises:
        DispatchError: ``stake_pool.invalid_withdrawal`` for dust or more than the user holds.
    """
    queued = sum(r.shares for r in pool.withdraw_queue if bytes(r.user) == user)
    if is_dust(shares) or shares > position + queued:
        raise pool_error(
            StakePoolErrorCode.INVALID_WITHDRAWAL,
            f"you hold {position + queued} shares in pool #{pool.pid} (queued included); "
            "ask for more than 1,000 and at most that",
        )
    queue = [r for r in pool.withdraw_queue if bytes(r.user) != user]
    queue.append(WithdrawRequest(user, now_s, shares))
    return cast(B, replace(cast(Any, pool), withdraw_queue=queue)), position + queued - shares


def has_expired_withdrawal(pool: Book, budget: int, now_s: int, grace_secs: int) -> bool:
    """Whether the first request ``budget`` (free + releasing stake) cannot cover is overdue.

    Requests are covered in queue order, as :func:`plan_queue` would pay them (Phala's
    ``has_expired_withdrawal``).
    """
    price = share_price(pool.total_value, pool.total_shares)
    if price is None or price.bits == 0:
        return False
    for request in pool.withdraw_queue:
        amount = bmul(request.shares, price)
        if amount > budget:
            return now_s - request.start_time > grace_secs
        budget -= amount
    return False
