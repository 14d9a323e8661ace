"""Council events (FRAME collective's)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U32, Err, ScaleEnum, variant
from khala.primitives.scale import Ok as ScaleOk
from khala.runtime.types import AccountId, DispatchErrorRecord


class Event(ScaleEnum):
    """A council event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Proposed(Event):
    """A member proposed a motion."""

    account: AccountId
    """The proposer (its aye is counted)."""
    proposal_index: U32
    """The motion's number."""
    proposal_hash: H256
    """blake2_256 of the call's encoding."""
    threshold: U32
    """Ayes needed."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Voted(Event):
    """A member voted."""

    account: AccountId
    """The member."""
    proposal_hash: H256
    """The motion."""
    voted: bool
    """Aye or nay."""
    yes: U32
    """Ayes so far."""
    no: U32
    """Nays so far."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Approved(Event):
    """A motion was carried."""

    proposal_hash: H256
    """The motion."""


@variant(3)
@dataclass(frozen=True, slots=True)
class Disapproved(Event):
    """A motion failed."""

    proposal_hash: H256
    """The motion."""


@variant(4)
@dataclass(frozen=True, slots=True)
class Executed(Event):
    """A carried motion's call ran with the council origin."""

    proposal_hash: H256
    """The motion."""
    result: ScaleOk[tuple[()]] | Err[DispatchErrorRecord]
    """Ok, or why the call failed."""


@variant(5)
@dataclass(frozen=True, slots=True)
class MemberExecuted(Event):
    """A threshold-1 motion ran at once with its proposer's council origin."""

    proposal_hash: H256
    """The motion."""
    result: ScaleOk[tuple[()]] | Err[DispatchErrorRecord]
    """Ok, or why the call failed."""


@variant(6)
@dataclass(frozen=True, slots=True)
class Closed(Event):
    """A motion was closed with its final tally."""

    proposal_hash: H256
    """The motion."""
    yes: U32
    """Ayes."""
    no: U32
    """Nays."""


@variant(7)
@dataclass(frozen=True, slots=True)
class MembersChanged(Event):
    """Governance set the council's members."""

    members: list[AccountId]
    """The new members."""
