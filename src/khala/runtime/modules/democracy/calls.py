"""Democracy calls (FRAME's variant indices; the handlers are in :mod:`.handlers`)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U32, Compact, ScaleEnum, variant
from khala.runtime.modules.democracy.types import AccountVote, Conviction
from khala.runtime.types import Balance, BlockNumber, MultiAddress


class Call(ScaleEnum):
    """A democracy call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Propose(Call):
    """Propose the call whose preimage hash is ``proposal_hash``, reserving ``value``."""

    proposal_hash: H256
    """The call's preimage hash (note it first with ``preimage.note_preimage``)."""
    value: Compact
    """The deposit, at least ``MinimumDeposit``; each second reserves the same."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Second(Call):
    """Back a waiting public proposal with the same deposit as its proposer."""

    proposal: Compact
    """The proposal's index."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Vote(Call):
    """Vote on an ongoing referendum (replacing an earlier vote on it)."""

    ref_index: Compact
    """The referendum."""
    vote: AccountVote
    """Aye/nay with balance and conviction, or a split vote."""


@variant(4)
@dataclass(frozen=True, slots=True)
class ExternalPropose(Call):
    """Council (½): queue a proposal judged by super-majority approve."""

    proposal_hash: H256
    """The call's preimage hash."""


@variant(5)
@dataclass(frozen=True, slots=True)
class ExternalProposeMajority(Call):
    """Council (½): queue a proposal judged by simple majority."""

    proposal_hash: H256
    """The call's preimage hash."""


@variant(6)
@dataclass(frozen=True, slots=True)
class ExternalProposeDefault(Call):
    """The whole council: queue a proposal judged by super-majority against."""

    proposal_hash: H256
    """The call's preimage hash."""


@variant(7)
@dataclass(frozen=True, slots=True)
class FastTrack(Call):
    """Council (⅔): turn the waiting council proposal into a referendum now."""

    proposal_hash: H256
    """The waiting council proposal's hash."""
    voting_period: BlockNumber
    """How long it is open (at least the fast-track minimum)."""
    delay: BlockNumber
    """Blocks from passing to enactment."""


@variant(9)
@dataclass(frozen=True, slots=True)
class CancelReferendum(Call):
    """Council (⅔): cancel an ongoing referendum or a passed one's pending enactment."""

    ref_index: Compact
    """The referendum."""


@variant(10)
@dataclass(frozen=True, slots=True)
class Delegate(Call):
    """Let ``to`` vote with ``balance`` of your PHA at ``conviction``."""

    to: MultiAddress
    """The delegate."""
    conviction: Conviction
    """0..6 (0.1x..6x)."""
    balance: Balance
    """PHA delegated (locked while delegating)."""


@variant(11)
@dataclass(frozen=True, slots=True)
class Undelegate(Call):
    """Stop delegating."""


@variant(13)
@dataclass(frozen=True, slots=True)
class Unlock(Call):
    """Recompute ``target``'s democracy lock (anyone may)."""

    target: MultiAddress
    """Whose lock."""


@variant(14)
@dataclass(frozen=True, slots=True)
class RemoveVote(Call):
    """Remove your vote on a referendum (finished: to unlock; ongoing: withdraws it)."""

    index: U32
    """The referendum."""


@variant(15)
@dataclass(frozen=True, slots=True)
class RemoveOtherVote(Call):
    """Remove ``target``'s vote on a finished referendum whose lock has expired."""

    target: MultiAddress
    """The voter."""
    index: U32
    """The referendum."""


@variant(16)
@dataclass(frozen=True, slots=True)
class EnactProposal(Call):
    """Root (the scheduler): run a passed referendum's call from its preimage."""

    proposal_hash: H256
    """The call's preimage hash."""
    index: U32
    """The referendum."""
