"""Vault events (Phala's vault events, by the same names where Phala has them)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32, U64, ScaleEnum, variant
from khala.runtime.types import AccountId, Balance


class Event(ScaleEnum):
    """A vault event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class VaultCreated(Event):
    """A vault was created."""

    owner: AccountId
    """Its owner."""
    pid: U64
    """Its id."""
    account: AccountId
    """Its account."""


@variant(1)
@dataclass(frozen=True, slots=True)
class VaultCommissionSet(Event):
    """The owner's commission on gains changed."""

    pid: U64
    """The vault."""
    commission: U32
    """Parts per million."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Contribution(Event):
    """Someone contributed and received vault shares."""

    pid: U64
    """The vault."""
    user: AccountId
    """The contributor."""
    amount: Balance
    """PHA contributed."""
    shares: Balance
    """Vault shares minted."""


@variant(3)
@dataclass(frozen=True, slots=True)
class WithdrawalQueued(Event):
    """A vault withdrawal was queued (replacing the user's earlier one)."""

    pid: U64
    """The vault."""
    user: AccountId
    """Who asked."""
    shares: Balance
    """Vault shares requested."""


@variant(4)
@dataclass(frozen=True, slots=True)
class Withdrawal(Event):
    """The vault's free PHA paid (part of) a queued request."""

    pid: U64
    """The vault."""
    user: AccountId
    """Who was paid."""
    amount: Balance
    """PHA paid."""
    shares: Balance
    """Vault shares burnt."""


@variant(5)
@dataclass(frozen=True, slots=True)
class Invested(Event):
    """The owner put vault PHA into a stake pool."""

    pid: U64
    """The vault."""
    pool: U64
    """The stake pool."""
    amount: Balance
    """PHA contributed."""


@variant(6)
@dataclass(frozen=True, slots=True)
class Divested(Event):
    """The vault asked a stake pool for shares back (queued there)."""

    pid: U64
    """The vault."""
    pool: U64
    """The stake pool."""
    shares: Balance
    """Pool shares requested in total."""


@variant(7)
@dataclass(frozen=True, slots=True)
class OwnerSharesGained(Event):
    """The share price rose: the owner's commission was minted as vault shares."""

    pid: U64
    """The vault."""
    shares: Balance
    """Shares minted."""
    checkout_price: Balance
    """The new checkpoint (planck per share)."""


@variant(8)
@dataclass(frozen=True, slots=True)
class OwnerSharesClaimed(Event):
    """The owner moved gained shares to an account's position."""

    pid: U64
    """The vault."""
    user: AccountId
    """Who received them."""
    shares: Balance
    """Shares moved."""


@variant(9)
@dataclass(frozen=True, slots=True)
class ForcedWithdrawal(Event):
    """An overdue, uncovered vault withdrawal: every pool holding was asked back.

    The vault stays locked until its queue is paid.
    """

    pid: U64
    """The vault."""
    pools: U32
    """Pools asked."""


@variant(10)
@dataclass(frozen=True, slots=True)
class VaultUnlocked(Event):
    """The vault's queue is paid: its owner may invest again."""

    pid: U64
    """The vault."""
