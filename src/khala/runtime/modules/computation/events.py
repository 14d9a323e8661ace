"""Computation's events."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.fixed_point import U64F64
from khala.primitives.scale import H256, U32, U128, ScaleEnum, variant
from khala.runtime.types import AccountId, Balance


class Event(ScaleEnum):
    """A computation event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class SessionBound(Event):
    """A worker was bound to a session account."""

    session: AccountId
    """The session account."""
    worker: H256
    """The worker."""


@variant(1)
@dataclass(frozen=True, slots=True)
class SessionUnbound(Event):
    """A worker was unbound from its session."""

    session: AccountId
    """The session account."""
    worker: H256
    """The worker."""


@variant(2)
@dataclass(frozen=True, slots=True)
class SessionStarted(Event):
    """A worker started computing (Ready → WorkerIdle)."""

    session: AccountId
    """The session account."""
    init_v: U64F64
    """Its Ve."""
    init_p: U32
    """Its benchmark score."""


@variant(3)
@dataclass(frozen=True, slots=True)
class SessionStopped(Event):
    """A worker stopped computing (→ WorkerCoolingDown)."""

    session: AccountId
    """The session account."""


@variant(4)
@dataclass(frozen=True, slots=True)
class SessionReclaimed(Event):
    """A cooled-down session's stake went back to its owner (→ Ready)."""

    session: AccountId
    """The session account."""
    original_stake: Balance
    """The stake reserved at start."""
    slashed: Balance
    """How much of it was lost (0 while slash_rate is 0)."""


@variant(5)
@dataclass(frozen=True, slots=True)
class WorkerEnterUnresponsive(Event):
    """The gatekeepers report the worker missed its heartbeats (→ WorkerUnresponsive)."""

    session: AccountId
    """The session account."""


@variant(6)
@dataclass(frozen=True, slots=True)
class WorkerExitUnresponsive(Event):
    """The worker answered again (→ WorkerIdle)."""

    session: AccountId
    """The session account."""


@variant(7)
@dataclass(frozen=True, slots=True)
class SessionSettled(Event):
    """A settlement set the worker's V and paid it."""

    session: AccountId
    """The session account."""
    v_bits: U64F64
    """Its new V."""
    payout: Balance
    """Units paid to the owner."""


@variant(8)
@dataclass(frozen=True, slots=True)
class MiningEnabledSet(Event):
    """Governance switched mining on or off."""

    enabled: bool
    """The new value."""


@variant(9)
@dataclass(frozen=True, slots=True)
class HeartbeatPausedSet(Event):
    """Governance paused or resumed heartbeat challenges."""

    paused: bool
    """The new value."""


@variant(10)
@dataclass(frozen=True, slots=True)
class TokenomicParametersChanged(Event):
    """New tokenomic parameters took effect at the end of this block."""


@variant(11)
@dataclass(frozen=True, slots=True)
class HeartbeatReceived(Event):
    """A computing worker answered a challenge."""

    session: AccountId
    """The session account."""
    challenge_block: U32
    """The block whose challenge it answered."""


@variant(12)
@dataclass(frozen=True, slots=True)
class SettlementDropped(Event):
    """A settlement for a block at or before the last settled one was ignored."""

    block_number: U32
    """The block it was computed for."""


@variant(13)
@dataclass(frozen=True, slots=True)
class RewardUnpaid(Event):
    """The subsidy could not pay a settled session: the amounts are owed (``UnpaidRewards``)."""

    session: AccountId
    """The session account."""
    payout: Balance
    """The owner's payout that was not paid."""
    treasury: Balance
    """The treasury share that was not paid."""


@variant(14)
@dataclass(frozen=True, slots=True)
class SessionSettlementDropped(Event):
    """A settle entry computed at or before the session's last update was ignored.

    Phala's late-update rule: e.g. an entry computed before the session started again.
    """

    session: AccountId
    """The session account."""
    v: U128
    """The dropped V (U64F64 bits)."""
    payout: Balance
    """The dropped payout."""
