"""Stake pool calls (Phala's StakePool v2 and BasePool calls; the handlers live beside)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U32, U64, Compact, ScaleEnum, variant
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.stake_pool import pool_calls, stake_calls, worker_calls
from khala.runtime.modules.stake_pool.constants import CALL_WEIGHT, QUEUE_WEIGHT
from khala.runtime.types import AccountId, Balance


class Call(ScaleEnum):
    """A stake pool call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Create(Call):
    """Create a pool owned by you (0.03 PHA keeps its three accounts alive)."""


@variant(1)
@dataclass(frozen=True, slots=True)
class SetCommission(Call):
    """Set the owner's part of each payout, in parts per million (owner)."""

    pid: U64
    """The pool."""
    commission: U32
    """0 to 1,000,000."""


@variant(2)
@dataclass(frozen=True, slots=True)
class SetCap(Call):
    """Set the largest value contributions may reach, or None for no cap (owner)."""

    pid: U64
    """The pool."""
    cap: Balance | None
    """At least the pool's current value."""


@variant(3)
@dataclass(frozen=True, slots=True)
class AddWorker(Call):
    """Add a registered, benchmarked worker you operate (owner)."""

    pid: U64
    """The pool."""
    worker: H256
    """The worker."""


@variant(4)
@dataclass(frozen=True, slots=True)
class RemoveWorker(Call):
    """Remove a Ready worker (owner)."""

    pid: U64
    """The pool."""
    worker: H256
    """The worker."""


@variant(5)
@dataclass(frozen=True, slots=True)
class StartComputing(Call):
    """Start a pool worker with ``stake`` of the pool's free stake (owner)."""

    pid: U64
    """The pool."""
    worker: H256
    """The worker."""
    stake: Compact
    """The stake, in planck."""


@variant(6)
@dataclass(frozen=True, slots=True)
class StopComputing(Call):
    """Stop a pool worker; its stake releases after the cool-down (owner)."""

    pid: U64
    """The pool."""
    worker: H256
    """The worker."""


@variant(7)
@dataclass(frozen=True, slots=True)
class ReclaimPoolWorker(Call):
    """Return a cooled-down worker's stake to the pool's free stake (anyone)."""

    pid: U64
    """The pool."""
    worker: H256
    """The worker."""


@variant(8)
@dataclass(frozen=True, slots=True)
class RestartComputing(Call):
    """Stop and restart a worker at once with a larger stake (owner; empty queue only)."""

    pid: U64
    """The pool."""
    worker: H256
    """The worker."""
    stake: Compact
    """The new stake, more than the current one."""


@variant(9)
@dataclass(frozen=True, slots=True)
class Contribute(Call):
    """Contribute PHA for shares at the pool's price."""

    pid: U64
    """The pool."""
    amount: Compact
    """At least 0.01 PHA, in planck."""


@variant(10)
@dataclass(frozen=True, slots=True)
class Withdraw(Call):
    """Queue a withdrawal of ``shares`` (replacing your earlier request)."""

    pid: U64
    """The pool."""
    shares: Compact
    """Shares to withdraw."""


@variant(11)
@dataclass(frozen=True, slots=True)
class CheckAndMaybeForceWithdraw(Call):
    """Stop every worker of a pool whose overdue withdrawal cannot be covered (anyone)."""

    pid: U64
    """The pool."""


@variant(12)
@dataclass(frozen=True, slots=True)
class ClaimOwnerRewards(Call):
    """Send the pool's accumulated commission to ``target`` (owner)."""

    pid: U64
    """The pool."""
    target: AccountId
    """Who receives it."""


@variant(13)
@dataclass(frozen=True, slots=True)
class AddStakerToWhitelist(Call):
    """Allow ``staker`` to contribute; with a whitelist, only listed accounts may (owner)."""

    pid: U64
    """The pool."""
    staker: AccountId
    """The account."""


@variant(14)
@dataclass(frozen=True, slots=True)
class RemoveStakerFromWhitelist(Call):
    """Remove ``staker``; an empty whitelist opens the pool to everyone (owner)."""

    pid: U64
    """The pool."""
    staker: AccountId
    """The account."""


@variant(15)
@dataclass(frozen=True, slots=True)
class SetPoolDescription(Call):
    """Describe the pool for delegators (owner; at most 4,400 bytes of UTF-8)."""

    pid: U64
    """The pool."""
    description: bytes
    """The text."""


CALLS: dict[type, CallSpec] = {
    Create: CallSpec(pool_calls.create, CALL_WEIGHT),
    SetCommission: CallSpec(pool_calls.set_commission, CALL_WEIGHT),
    SetCap: CallSpec(pool_calls.set_cap, CALL_WEIGHT),
    AddWorker: CallSpec(worker_calls.add_worker, CALL_WEIGHT),
    RemoveWorker: CallSpec(worker_calls.remove_worker, CALL_WEIGHT),
    StartComputing: CallSpec(worker_calls.start_computing, CALL_WEIGHT),
    StopComputing: CallSpec(worker_calls.stop_computing, CALL_WEIGHT),
    ReclaimPoolWorker: CallSpec(worker_calls.reclaim_pool_worker, QUEUE_WEIGHT),
    RestartComputing: CallSpec(worker_calls.restart_computing, QUEUE_WEIGHT),
    Contribute: CallSpec(stake_calls.contribute, QUEUE_WEIGHT),
    Withdraw: CallSpec(stake_calls.withdraw, QUEUE_WEIGHT),
    CheckAndMaybeForceWithdraw: CallSpec(worker_calls.check_and_maybe_force_withdraw, QUEUE_WEIGHT),
    ClaimOwnerRewards: CallSpec(pool_calls.claim_owner_rewards, CALL_WEIGHT),
    AddStakerToWhitelist: CallSpec(pool_calls.add_staker_to_whitelist, CALL_WEIGHT),
    RemoveStakerFromWhitelist: CallSpec(pool_calls.remove_staker_from_whitelist, CALL_WEIGHT),
    SetPoolDescription: CallSpec(pool_calls.set_pool_description, CALL_WEIGHT),
}
"""Handlers of stake pool calls."""
