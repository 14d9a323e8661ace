"""Democracy records, with FRAME's layouts (``pallet_democracy::types`` and ``vote``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from khala.primitives.scale import H256, U8, U32, ScaleEnum, variant
from khala.runtime.types import AccountId, Balance, BlockNumber


class Conviction(enum.IntEnum):
    """How strongly a vote is meant: its multiplier and how long the PHA stay locked."""

    NONE = 0
    """0.1x the balance, no lock after the referendum."""
    LOCKED1X = 1
    """1x, locked for one lock period."""
    LOCKED2X = 2
    """2x, two lock periods."""
    LOCKED3X = 3
    """3x, four lock periods."""
    LOCKED4X = 4
    """4x, eight lock periods."""
    LOCKED5X = 5
    """5x, sixteen lock periods."""
    LOCKED6X = 6
    """6x, thirty-two lock periods."""

    def votes(self, balance: int) -> int:
        """The votes ``balance`` counts for (FRAME rounds 0.1x down)."""
        return balance // 10 if self is Conviction.NONE else balance * int(self)

    @property
    def lock_periods(self) -> int:
        """Lock periods after the referendum: 0, 1, 2, 4, 8, 16, 32."""
        return 0 if self is Conviction.NONE else 1 << (int(self) - 1)


class VoteThreshold(enum.IntEnum):
    """How a referendum's tally is judged."""

    SUPER_MAJORITY_APPROVE = 0
    """Positive turnout bias: ``nays / sqrt(turnout) < ayes / sqrt(electorate)``."""
    SUPER_MAJORITY_AGAINST = 1
    """Negative turnout bias: ``nays / sqrt(electorate) < ayes / sqrt(turnout)``."""
    SIMPLE_MAJORITY = 2
    """``ayes > nays``."""


AYE_BIT = 0x80
"""The top bit of a vote byte is aye; the low bits are the conviction."""

Vote = U8
"""FRAME's ``Vote``: one byte, ``aye << 7 | conviction``."""


def vote_byte(aye: bool, conviction: Conviction) -> int:
    """Encode a vote."""
    return (AYE_BIT if aye else 0) | int(conviction)


def is_aye(vote: int) -> bool:
    """Whether a vote byte is aye."""
    return bool(vote & AYE_BIT)


def conviction_of(vote: int) -> Conviction | None:
    """The conviction of a vote byte, or None when the low bits name none."""
    low = vote & ~AYE_BIT
    return Conviction(low) if low <= Conviction.LOCKED6X else None


class AccountVote(ScaleEnum):
    """An account's vote on one referendum."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Standard(AccountVote):
    """Aye or nay with a conviction."""

    vote: Vote
    """``aye << 7 | conviction``."""
    balance: Balance
    """PHA voted (locked at least until the referendum ends)."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Split(AccountVote):
    """Part aye, part nay, without conviction (0.1x each), for custodians."""

    aye: Balance
    """PHA voting aye."""
    nay: Balance
    """PHA voting nay."""


@dataclass(frozen=True, slots=True)
class Tally:
    """Votes so far."""

    ayes: Balance
    """Conviction-weighted aye votes."""
    nays: Balance
    """Conviction-weighted nay votes."""
    turnout: Balance
    """PHA that voted, without conviction."""


@dataclass(frozen=True, slots=True)
class ReferendumStatus:
    """An ongoing referendum."""

    end: BlockNumber
    """The block in which it is tallied."""
    proposal: H256
    """The call's preimage hash."""
    threshold: VoteThreshold
    """How the tally is judged."""
    delay: BlockNumber
    """Blocks from passing to enactment."""
    tally: Tally
    """The votes so far."""


class ReferendumInfo(ScaleEnum):
    """A referendum, ongoing or finished."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Ongoing(ReferendumInfo):
    """Still being voted on."""

    status: ReferendumStatus
    """Its state."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Finished(ReferendumInfo):
    """Tallied (or cancelled: not approved, ended when cancelled)."""

    approved: bool
    """Whether it passed."""
    end: BlockNumber
    """When it ended."""


@dataclass(frozen=True, slots=True)
class Delegations:
    """Votes and PHA delegated to an account."""

    votes: Balance
    """Conviction-weighted votes."""
    capital: Balance
    """PHA behind them."""


@dataclass(frozen=True, slots=True)
class PriorLock:
    """A lock left by a past vote: ``balance`` stays locked until block ``until``."""

    until: BlockNumber
    """The block from which it may be unlocked."""
    balance: Balance
    """PHA locked."""


class Voting(ScaleEnum):
    """An account's voting record."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Direct(Voting):
    """The account votes itself."""

    votes: list[tuple[U32, AccountVote]]
    """Its votes by referendum index, ascending."""
    delegations: Delegations
    """What others delegated to it (counted with its standard votes)."""
    prior: PriorLock
    """What past votes still lock."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Delegating(Voting):
    """The account lets ``target`` vote with its PHA."""

    balance: Balance
    """PHA delegated (locked while delegating)."""
    target: AccountId
    """Who votes with them."""
    conviction: Conviction
    """The delegation's conviction."""
    delegations: Delegations
    """What others delegated to this account (not passed on: delegation is one level)."""
    prior: PriorLock
    """What past votes still lock."""


NO_DELEGATIONS = Delegations(0, 0)
"""Nothing delegated."""
NO_PRIOR = PriorLock(0, 0)
"""No lock left from past votes."""
EMPTY_VOTING = Direct([], NO_DELEGATIONS, NO_PRIOR)
"""An account that never voted."""
