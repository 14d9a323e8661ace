"""Stake pool events (Phala's StakePool v2 and BasePool events, by the same names)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U32, U64, ScaleEnum, variant
from khala.runtime.types import AccountId, Balance


class Event(ScaleEnum):
    """A stake pool event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class PoolCreated(Event):
    """A pool was created."""

    owner: AccountId
    """Its owner."""
    pid: U64
    """Its id."""
    pool_account: AccountId
    """The account holding its free stake."""


@variant(1)
@dataclass(frozen=True, slots=True)
class PoolCommissionSet(Event):
    """The owner's commission changed."""

    pid: U64
    """The pool."""
    commission: U32
    """Parts per million."""


@variant(2)
@dataclass(frozen=True, slots=True)
class PoolCapacitySet(Event):
    """The cap changed."""

    pid: U64
    """The pool."""
    cap: Balance | None
    """The new cap (None: unlimited)."""


@variant(3)
@dataclass(frozen=True, slots=True)
class PoolWorkerAdded(Event):
    """A worker joined the pool, bound to a session its lock account owns."""

    pid: U64
    """The pool."""
    worker: H256
    """The worker."""
    session: AccountId
    """Its session account."""


@variant(4)
@dataclass(frozen=True, slots=True)
class PoolWorkerRemoved(Event):
    """A Ready worker left the pool."""

    pid: U64
    """The pool."""
    worker: H256
    """The worker."""


@variant(5)
@dataclass(frozen=True, slots=True)
class Contribution(Event):
    """Someone contributed and received shares."""

    pid: U64
    """The pool."""
    user: AccountId
    """The contributor."""
    amount: Balance
    """PHA contributed."""
    shares: Balance
    """Shares minted at the pool's price."""


@variant(6)
@dataclass(frozen=True, slots=True)
class WithdrawalQueued(Event):
    """A withdrawal request was queued (replacing the user's earlier one)."""

    pid: U64
    """The pool."""
    user: AccountId
    """Who asked."""
    shares: Balance
    """Shares requested."""


@variant(7)
@dataclass(frozen=True, slots=True)
class Withdrawal(Event):
    """Free stake paid (part of) a queued request."""

    pid: U64
    """The pool."""
    user: AccountId
    """Who was paid."""
    amount: Balance
    """PHA paid."""
    shares: Balance
    """Shares burnt (including a dust remainder)."""


@variant(8)
@dataclass(frozen=True, slots=True)
class WorkingStarted(Event):
    """A pool worker started computing."""

    pid: U64
    """The pool."""
    worker: H256
    """The worker."""
    amount: Balance
    """Its stake, moved from free stake to the lock account."""


@variant(9)
@dataclass(frozen=True, slots=True)
class WorkerReclaimed(Event):
    """A cooled-down worker's stake returned to the pool's free stake."""

    pid: U64
    """The pool."""
    worker: H256
    """The worker."""
    amount: Balance
    """PHA returned."""


@variant(10)
@dataclass(frozen=True, slots=True)
class RewardReceived(Event):
    """A worker's payout was split between the owner and the delegators."""

    pid: U64
    """The pool."""
    to_owner: Balance
    """The commission."""
    to_stakers: Balance
    """The rest, added to the pool's value."""


@variant(11)
@dataclass(frozen=True, slots=True)
class RewardDismissedNoShare(Event):
    """A payout reached a pool without shares; it went back to the mining subsidy."""

    pid: U64
    """The pool."""
    amount: Balance
    """PHA returned to the subsidy."""


@variant(12)
@dataclass(frozen=True, slots=True)
class OwnerRewardsWithdrawn(Event):
    """The owner claimed its commissions."""

    pid: U64
    """The pool."""
    user: AccountId
    """Who received them."""
    amount: Balance
    """PHA claimed."""


@variant(13)
@dataclass(frozen=True, slots=True)
class ForcedShutdown(Event):
    """A withdrawal waited past the grace period uncovered: the pool's workers were stopped."""

    pid: U64
    """The pool."""
    stopped: U32
    """Workers stopped."""


@variant(14)
@dataclass(frozen=True, slots=True)
class PoolWhitelistChanged(Event):
    """The contributor whitelist changed."""

    pid: U64
    """The pool."""
    staker: AccountId
    """The account added or removed."""
    added: bool
    """True when added."""


@variant(15)
@dataclass(frozen=True, slots=True)
class PoolDescriptionSet(Event):
    """The owner described the pool."""

    pid: U64
    """The pool."""


@variant(16)
@dataclass(frozen=True, slots=True)
class WithdrawalDustBurned(Event):
    """A withdrawal below 0.01 PHA could not create the user's reaped account: it was burnt."""

    pid: U64
    """The pool."""
    user: AccountId
    """Who would have received it."""
    amount: Balance
    """PHA burnt."""
