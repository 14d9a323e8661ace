"""Balances' public operations: the only way other modules move funds.

Every operation validates first and writes last. Accounts come into existence when they
reach the existential deposit (``NewAccount`` + ``Endowed``) and are reaped when their total
falls below it (``DustLost`` + ``KilledAccount``; the dust leaves ``TotalIssuance``). Moves
between accounts keep ``TotalIssuance`` unchanged; only minting, burning and dust change it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from khala.runtime.context import Context
from khala.runtime.modules.balances import events
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT, STAKEABLE_LOCKS
from khala.runtime.modules.balances.errors import BalancesErrorCode, balances_error
from khala.runtime.modules.balances.state import LOCKS, TOTAL_ISSUANCE, BalanceLock, Reasons
from khala.runtime.modules.system import events as system_events
from khala.runtime.modules.system.state import (
    ACCOUNT,
    EMPTY_ACCOUNT,
    AccountData,
    AccountInfo,
    account,
    put_account,
    remove_account,
    with_data,
    with_free,
)
from khala.runtime.state import State


def free_balance(state: State, who: bytes) -> int:
    """Return the account's free balance."""
    return account(state, who).data.free


def spendable(state: State, who: bytes) -> int:
    """Return how much of the free balance no lock holds."""
    data = account(state, who).data
    return max(data.free - data.frozen, 0)


def total_issuance(state: State) -> int:
    """Return all PHA in existence."""
    return TOTAL_ISSUANCE.get(state)


def _store(
    state: State, ctx: Context | None, who: bytes, info: AccountInfo, data: AccountData
) -> None:
    """Write an account's new balances, creating or reaping it around the existential deposit."""
    existed = info.providers > 0
    total = data.free + data.reserved
    if total < EXISTENTIAL_DEPOSIT:
        if existed:
            remove_account(state, who)
            LOCKS.remove(state, who)
            if total:
                TOTAL_ISSUANCE.put(state, TOTAL_ISSUANCE.get(state) - total)
            if ctx is not None:
                if total:
                    ctx.emit(events.DustLost(who, total))
                ctx.emit(system_events.KilledAccount(who))
        elif total:
            TOTAL_ISSUANCE.put(state, TOTAL_ISSUANCE.get(state) - total)
        return
    if not existed and ctx is not None:
        ctx.emit(system_events.NewAccount(who))
        ctx.emit(events.Endowed(who, data.free))
    put_account(state, who, with_data(info, data, None if existed else 1))


def can_withdraw(
    state: State, who: bytes, amount: int, *, keep_alive: bool
) -> BalancesErrorCode | None:
    """Return why ``amount`` cannot be withdrawn from ``who``, or None if it can."""
    data = account(state, who).data
    if data.free < amount:
        return BalancesErrorCode.INSUFFICIENT_BALANCE
    if data.free - amount < data.frozen:
        return BalancesErrorCode.LIQUIDITY_RESTRICTIONS
    if keep_alive and data.free - amount + data.reserved < EXISTENTIAL_DEPOSIT:
        return BalancesErrorCode.EXPENDABILITY
    return None


def can_stake(state: State, who: bytes, amount: int) -> BalancesErrorCode | None:
    """Why ``who`` cannot delegate ``amount``, or None.

    Like a keep-alive withdrawal, except that funds held only by stakeable locks
    (:data:`STAKEABLE_LOCKS`: vesting) may be staked.
    """
    data = account(state, who).data
    if data.free < amount:
        return BalancesErrorCode.INSUFFICIENT_BALANCE
    held = max(
        (lock.amount for lock in LOCKS.get(state, who) if bytes(lock.id) not in STAKEABLE_LOCKS),
        default=0,
    )
    if data.free - amount < held:
        return BalancesErrorCode.LIQUIDITY_RESTRICTIONS
    if data.free - amount + data.reserved < EXISTENTIAL_DEPOSIT:
        return BalancesErrorCode.EXPENDABILITY
    return None


def transfer_stake(state: State, ctx: Context, source: bytes, dest: bytes, amount: int) -> None:
    """Move ``amount`` a delegator stakes to a pool's account (``dest`` must exist).

    Checked with :func:`can_stake`: vesting-locked funds may move; the lock stays on
    ``source``. Emits ``Transfer``.

    Raises:
        DispatchError: The :func:`can_stake` refusal.
    """
    problem = can_stake(state, source, amount)
    if problem is not None:
        raise balances_error(problem, f"cannot stake {amount}: {problem.value}")
    sender = account(state, source)
    _store(state, ctx, source, sender, with_free(sender.data, sender.data.free - amount))
    receiver = account(state, dest)
    _store(state, ctx, dest, receiver, with_free(receiver.data, receiver.data.free + amount))
    ctx.emit(events.Transfer(source, dest, amount))


def withdraw(state: State, ctx: Context, who: bytes, amount: int, *, keep_alive: bool) -> None:
    """Debit ``amount`` (the caller credits it elsewhere or burns it); emits ``Withdraw``.

    Raises:
        DispatchError: When the balance, locks or existential deposit forbid it.
    """
    problem = can_withdraw(state, who, amount, keep_alive=keep_alive)
    if problem is not None:
        raise balances_error(problem, f"cannot withdraw {amount} from the account")
    info = account(state, who)
    _store(state, ctx, who, info, with_free(info.data, info.data.free - amount))
    ctx.emit(events.Withdraw(who, amount))


def deposit(state: State, ctx: Context, who: bytes, amount: int) -> bool:
    """Credit ``amount``; returns False (and burns it) if it cannot create the account.

    Emits ``Deposit`` when credited.
    """
    info = account(state, who)
    if info.providers == 0 and amount < EXISTENTIAL_DEPOSIT:
        TOTAL_ISSUANCE.put(state, TOTAL_ISSUANCE.get(state) - amount)
        return False
    _store(state, ctx, who, info, with_free(info.data, info.data.free + amount))
    ctx.emit(events.Deposit(who, amount))
    return True


def transfer(
    state: State, ctx: Context, source: bytes, dest: bytes, amount: int, *, keep_alive: bool
) -> None:
    """Move ``amount`` from ``source`` to ``dest``; emits ``Transfer``.

    Raises:
        DispatchError: ``balances.insufficient_balance``, ``liquidity_restrictions``,
            ``expendability`` (keep-alive would reap the sender) or ``existential_deposit``
            (the amount would create ``dest`` below 0.01 PHA).
    """
    problem = can_withdraw(state, source, amount, keep_alive=keep_alive)
    if problem is not None:
        raise balances_error(problem, f"cannot transfer {amount}: {problem.value}")
    receiver = account(state, dest)
    if receiver.providers == 0 and amount < EXISTENTIAL_DEPOSIT:
        raise balances_error(
            BalancesErrorCode.EXISTENTIAL_DEPOSIT,
            f"a new account needs at least {EXISTENTIAL_DEPOSIT} units (0.01 PHA)",
        )
    if source == dest or amount == 0:
        ctx.emit(events.Transfer(source, dest, amount))
        return
    sender = account(state, source)
    _store(state, ctx, source, sender, with_free(sender.data, sender.data.free - amount))
    receiver = account(state, dest)
    _store(state, ctx, dest, receiver, with_free(receiver.data, receiver.data.free + amount))
    ctx.emit(events.Transfer(source, dest, amount))


def mint(state: State, ctx: Context | None, who: bytes, amount: int) -> None:
    """Create ``amount`` new PHA in ``who`` (genesis endowment, root set-balance)."""
    info = account(state, who)
    TOTAL_ISSUANCE.put(state, TOTAL_ISSUANCE.get(state) + amount)
    _store(state, ctx, who, info, with_free(info.data, info.data.free + amount))


def mint_all(state: State, endowments: Iterable[tuple[bytes, int]]) -> None:
    """Genesis endowments: exactly :func:`mint` for each, in order.

    A new account endowed with at least the existential deposit (nearly every endowment) is
    written directly: its record's encoding is made once per distinct amount, and the total
    issuance is written once at the end. Anything else (an account endowed twice, dust) goes
    through :func:`mint`. A genesis of a million accounts builds in a fraction of the time.
    """
    total = TOTAL_ISSUANCE.get(state)
    fresh: dict[int, bytes] = {}
    minted = False
    for who, amount in endowments:
        minted = True
        if amount >= EXISTENTIAL_DEPOSIT and not ACCOUNT.contains(state, who):
            raw = fresh.get(amount)
            if raw is None:
                created = with_data(EMPTY_ACCOUNT, with_free(EMPTY_ACCOUNT.data, amount), 1)
                raw = fresh[amount] = ACCOUNT.value_codec.encode(created)
            ACCOUNT.insert_encoded(state, who, raw)
            total += amount
            continue
        TOTAL_ISSUANCE.put(state, total)
        mint(state, None, who, amount)
        total = TOTAL_ISSUANCE.get(state)
    if minted:
        TOTAL_ISSUANCE.put(state, total)


def burn(state: State, ctx: Context, who: bytes, amount: int) -> None:
    """Destroy ``amount`` of ``who``'s free PHA (keeping the account alive); emits ``Burned``.

    Raises:
        DispatchError: When the balance, locks or existential deposit forbid it.
    """
    withdraw(state, ctx, who, amount, keep_alive=True)
    TOTAL_ISSUANCE.put(state, TOTAL_ISSUANCE.get(state) - amount)
    ctx.emit(events.Burned(who, amount))


def set_free(state: State, ctx: Context, who: bytes, free: int) -> None:
    """Set the free balance, adjusting issuance by the difference (root only)."""
    info = account(state, who)
    issuance = TOTAL_ISSUANCE.get(state) - info.data.free + free
    TOTAL_ISSUANCE.put(state, issuance)
    _store(state, ctx, who, info, replace(info.data, free=free))
    ctx.emit(events.BalanceSet(who, free))


def reserve(state: State, ctx: Context, who: bytes, amount: int) -> None:
    """Move ``amount`` from free to reserved; emits ``Reserved``.

    Raises:
        DispatchError: When the spendable balance is too small.
    """
    problem = can_withdraw(state, who, amount, keep_alive=False)
    if problem is not None:
        raise balances_error(problem, f"cannot reserve {amount}")
    info = account(state, who)
    data = replace(info.data, free=info.data.free - amount, reserved=info.data.reserved + amount)
    _store(state, ctx, who, info, data)
    ctx.emit(events.Reserved(who, amount))


def unreserve(state: State, ctx: Context, who: bytes, amount: int) -> int:
    """Move up to ``amount`` back from reserved to free; returns what was moved."""
    info = account(state, who)
    moved = min(amount, info.data.reserved)
    if moved:
        data = replace(info.data, free=info.data.free + moved, reserved=info.data.reserved - moved)
        _store(state, ctx, who, info, data)
        ctx.emit(events.Unreserved(who, moved))
    return moved


def set_lock(state: State, lock_id: bytes, who: bytes, amount: int, reasons: Reasons) -> None:
    """Create or replace the lock ``lock_id`` on ``who`` (locks may exceed the balance)."""
    locks = [lock for lock in LOCKS.get(state, who) if lock.id != lock_id]
    locks.append(BalanceLock(lock_id, amount, reasons))
    _update_locks(state, who, locks)


def remove_lock(state: State, lock_id: bytes, who: bytes) -> None:
    """Remove the lock ``lock_id`` from ``who``."""
    _update_locks(state, who, [lock for lock in LOCKS.get(state, who) if lock.id != lock_id])


def _update_locks(state: State, who: bytes, locks: list[BalanceLock]) -> None:
    if locks:
        LOCKS.insert(state, who, locks)
    else:
        LOCKS.remove(state, who)
    info = account(state, who)
    frozen = max((lock.amount for lock in locks), default=0)
    if info.providers:
        put_account(state, who, replace(info, data=replace(info.data, frozen=frozen)))
