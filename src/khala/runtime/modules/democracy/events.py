"""Democracy events (FRAME's variant indices where FRAME has them)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U32, Err, ScaleEnum, variant
from khala.primitives.scale import Ok as ScaleOk
from khala.runtime.modules.democracy.types import AccountVote, VoteThreshold
from khala.runtime.types import AccountId, Balance, DispatchErrorRecord


class Event(ScaleEnum):
    """A democracy event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Proposed(Event):
    """A public proposal was made."""

    proposal_index: U32
    """Its index."""
    deposit: Balance
    """The proposer's deposit."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Tabled(Event):
    """A public proposal became a referendum; its deposits were returned."""

    proposal_index: U32
    """Its index."""
    deposit: Balance
    """Each backer's deposit."""


@variant(2)
@dataclass(frozen=True, slots=True)
class ExternalTabled(Event):
    """The council's proposal became a referendum."""


@variant(3)
@dataclass(frozen=True, slots=True)
class Started(Event):
    """A referendum began."""

    ref_index: U32
    """Its index."""
    threshold: VoteThreshold
    """How it will be judged."""


@variant(4)
@dataclass(frozen=True, slots=True)
class Passed(Event):
    """A referendum passed; its enactment is scheduled."""

    ref_index: U32
    """Its index."""


@variant(5)
@dataclass(frozen=True, slots=True)
class NotPassed(Event):
    """A referendum failed."""

    ref_index: U32
    """Its index."""


@variant(6)
@dataclass(frozen=True, slots=True)
class Cancelled(Event):
    """A referendum was cancelled."""

    ref_index: U32
    """Its index."""


@variant(7)
@dataclass(frozen=True, slots=True)
class Delegated(Event):
    """An account delegated its votes."""

    who: AccountId
    """The delegator."""
    target: AccountId
    """Who votes with its PHA."""


@variant(8)
@dataclass(frozen=True, slots=True)
class Undelegated(Event):
    """An account stopped delegating."""

    account: AccountId
    """The former delegator."""


@variant(11)
@dataclass(frozen=True, slots=True)
class Seconded(Event):
    """An account seconded a public proposal."""

    seconder: AccountId
    """Who."""
    prop_index: U32
    """The proposal."""


@variant(13)
@dataclass(frozen=True, slots=True)
class Voted(Event):
    """An account voted on a referendum."""

    voter: AccountId
    """Who."""
    ref_index: U32
    """The referendum."""
    vote: AccountVote
    """The vote."""


@variant(20)
@dataclass(frozen=True, slots=True)
class Enacted(Event):
    """A passed referendum's call ran (its result says whether the call succeeded)."""

    ref_index: U32
    """The referendum."""
    proposal: H256
    """The call's preimage hash."""
    result: ScaleOk[tuple[()]] | Err[DispatchErrorRecord]
    """Ok, or why the call failed."""


@variant(21)
@dataclass(frozen=True, slots=True)
class Unlocked(Event):
    """An account's democracy lock was recomputed."""

    account: AccountId
    """Whose."""
    locked: Balance
    """PHA still locked (0: the lock is gone)."""
