"""Balances' events, indexed as FRAME indexes them."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import ScaleEnum, variant
from khala.runtime.types import AccountId, Balance


class Event(ScaleEnum):
    """A Balances event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Endowed(Event):
    """An account was created with some free balance."""

    account: AccountId
    """The new account."""
    free_balance: Balance
    """Its initial free balance."""


@variant(1)
@dataclass(frozen=True, slots=True)
class DustLost(Event):
    """An account was reaped and its remaining dust burned."""

    account: AccountId
    """The reaped account."""
    amount: Balance
    """The burned amount."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Transfer(Event):
    """Funds moved between accounts."""

    source: AccountId
    """Sender (FRAME's ``from``)."""
    dest: AccountId
    """Receiver (FRAME's ``to``)."""
    amount: Balance
    """The amount."""


@variant(3)
@dataclass(frozen=True, slots=True)
class BalanceSet(Event):
    """Root set an account's free balance."""

    who: AccountId
    """The account."""
    free: Balance
    """Its new free balance."""


@variant(4)
@dataclass(frozen=True, slots=True)
class Reserved(Event):
    """Some balance was reserved."""

    who: AccountId
    """The account."""
    amount: Balance
    """The amount."""


@variant(5)
@dataclass(frozen=True, slots=True)
class Unreserved(Event):
    """Some balance was unreserved."""

    who: AccountId
    """The account."""
    amount: Balance
    """The amount."""


@variant(7)
@dataclass(frozen=True, slots=True)
class Deposit(Event):
    """Funds were credited (e.g. a fee share)."""

    who: AccountId
    """The account."""
    amount: Balance
    """The amount."""


@variant(8)
@dataclass(frozen=True, slots=True)
class Withdraw(Event):
    """Funds were debited (e.g. a fee)."""

    who: AccountId
    """The account."""
    amount: Balance
    """The amount."""


@variant(11)
@dataclass(frozen=True, slots=True)
class Burned(Event):
    """Funds were destroyed (the treasury's burn): total issuance fell by the amount."""

    who: AccountId
    """The account."""
    amount: Balance
    """The amount."""
