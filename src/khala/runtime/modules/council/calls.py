"""Council calls: propose, vote, close, disapprove, set members (FRAME collective's)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from khala.primitives.hashing import blake2_256
from khala.primitives.scale import H256, Compact, ScaleEnum, encode, variant
from khala.runtime.context import (
    Context,
    CouncilOrigin,
    ensure_governance,
    ensure_root,
    ensure_signed,
    run_nested,
)
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.council import events as ev
from khala.runtime.modules.council import state as st
from khala.runtime.modules.council.constants import CALL_WEIGHT, MAX_MEMBERS, MAX_PROPOSALS
from khala.runtime.modules.council.errors import CouncilErrorCode, council_error
from khala.runtime.modules.council.types import Votes
from khala.runtime.outer import RuntimeCall
from khala.runtime.state import State
from khala.runtime.types import AccountId

Motion = RuntimeCall
"""A whole ``RuntimeCall`` carried by a motion."""


class Call(ScaleEnum):
    """A council call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class SetMembers(Call):
    """Governance (root or all of the council): replace the council's members."""

    new_members: list[AccountId]
    """The new members (at most 100)."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Propose(Call):
    """Propose ``proposal``; it passes with ``threshold`` ayes (1: it runs at once)."""

    threshold: Compact
    """Ayes needed, 1 to the number of members."""
    proposal: Motion
    """The call to dispatch with the council origin."""
    length_bound: Compact
    """At least the call's encoded length."""


@variant(3)
@dataclass(frozen=True, slots=True)
class Vote(Call):
    """Vote on an open motion (a member may change its vote)."""

    proposal: H256
    """The motion's hash."""
    index: Compact
    """The motion's number."""
    approve: bool
    """Aye or nay."""


@variant(5)
@dataclass(frozen=True, slots=True)
class DisapproveProposal(Call):
    """Governance (root): drop an open motion."""

    proposal_hash: H256
    """The motion."""


@variant(6)
@dataclass(frozen=True, slots=True)
class Close(Call):
    """Close a motion that is decided, or whose duration has passed (anyone)."""

    proposal_hash: H256
    """The motion."""
    index: Compact
    """Its number."""
    length_bound: Compact
    """At least the call's encoded length."""


def _member(state: State, who: bytes) -> list[bytes]:
    members = [bytes(m) for m in st.MEMBERS.get(state)]
    if who not in members:
        raise council_error(CouncilErrorCode.NOT_MEMBER, "only council members may do this")
    return members


def set_members(state: State, ctx: Context, args: SetMembers) -> None:
    """Replace the members; open motions keep their votes from members who remain."""
    ensure_governance(ctx, (1, 1))
    members = sorted({bytes(m) for m in args.new_members})
    if len(members) > MAX_MEMBERS:
        raise council_error(CouncilErrorCode.TOO_MANY_MEMBERS, f"at most {MAX_MEMBERS} members")
    for proposal in st.PROPOSALS.get(state):
        votes = st.VOTING.get(state, proposal)
        if votes is not None:
            ayes = [a for a in votes.ayes if bytes(a) in members]
            nays = [n for n in votes.nays if bytes(n) in members]
            st.VOTING.insert(state, proposal, replace(votes, ayes=ayes, nays=nays))
    st.MEMBERS.put(state, members)
    ctx.emit(ev.MembersChanged(members))


def propose(state: State, ctx: Context, args: Propose) -> None:
    """Open a motion with the proposer's aye; a threshold of 1 runs it at once."""
    who = ensure_signed(ctx)
    members = _member(state, who)
    if not 1 <= args.threshold <= len(members):
        raise council_error(
            CouncilErrorCode.WRONG_THRESHOLD,
            f"threshold {args.threshold}: between 1 and the {len(members)} members",
        )
    encoded = encode(args.proposal)
    if len(encoded) > args.length_bound:
        raise council_error(
            CouncilErrorCode.WRONG_PROPOSAL_LENGTH,
            f"the call is {len(encoded)} bytes; length_bound is {args.length_bound}",
        )
    digest = blake2_256(encoded)
    if args.threshold == 1:
        origin = CouncilOrigin(1, len(members))
        result = run_nested(state, ctx.with_origin(origin), args.proposal)
        ctx.emit(ev.MemberExecuted(digest, result))
        return
    proposals = [bytes(p) for p in st.PROPOSALS.get(state)]
    if digest in proposals:
        raise council_error(CouncilErrorCode.DUPLICATE_PROPOSAL, "this call is already a motion")
    if len(proposals) >= MAX_PROPOSALS:
        raise council_error(CouncilErrorCode.TOO_MANY_PROPOSALS, "too many open motions")
    index = st.PROPOSAL_COUNT.get(state)
    end = ctx.env.number + ctx.config.council_motion_blocks
    st.PROPOSALS.put(state, [*proposals, digest])
    st.PROPOSAL_OF.insert(state, digest, args.proposal)
    st.VOTING.insert(state, digest, Votes(index, args.threshold, [who], [], end))
    st.PROPOSAL_COUNT.put(state, index + 1)
    ctx.emit(ev.Proposed(who, index, digest, args.threshold))


def _open(state: State, proposal: bytes, index: int) -> Votes:
    votes = st.VOTING.get(state, proposal)
    if votes is None:
        raise council_error(CouncilErrorCode.PROPOSAL_MISSING, "no open motion has this hash")
    if votes.index != index:
        raise council_error(
            CouncilErrorCode.WRONG_INDEX, f"that motion is #{votes.index}, not #{index}"
        )
    return votes


def vote(state: State, ctx: Context, args: Vote) -> None:
    """Record a member's aye or nay (replacing its earlier vote)."""
    who = ensure_signed(ctx)
    _member(state, who)
    proposal = bytes(args.proposal)
    votes = _open(state, proposal, args.index)
    ayes = [bytes(a) for a in votes.ayes]
    nays = [bytes(n) for n in votes.nays]
    if (args.approve and who in ayes) or (not args.approve and who in nays):
        raise council_error(CouncilErrorCode.DUPLICATE_VOTE, "you already voted that way")
    ayes = [a for a in ayes if a != who] + ([who] if args.approve else [])
    nays = [n for n in nays if n != who] + ([] if args.approve else [who])
    st.VOTING.insert(state, proposal, replace(votes, ayes=ayes, nays=nays))
    ctx.emit(ev.Voted(who, proposal, args.approve, len(ayes), len(nays)))


def close(state: State, ctx: Context, args: Close) -> None:
    """Carry the motion (dispatch its call), or reject it; anyone may close a decided one."""
    ensure_signed(ctx)
    proposal = bytes(args.proposal_hash)
    votes = _open(state, proposal, args.index)
    call = st.PROPOSAL_OF.get(state, proposal)
    if call is not None and len(encode(call)) > args.length_bound:
        raise council_error(
            CouncilErrorCode.WRONG_PROPOSAL_LENGTH, "length_bound is below the call's length"
        )
    members = len(st.MEMBERS.get(state))
    ayes, nays = len(votes.ayes), len(votes.nays)
    carried = ayes >= votes.threshold
    doomed = nays > members - votes.threshold
    if not (carried or doomed or ctx.env.number >= votes.end):
        raise council_error(
            CouncilErrorCode.TOO_EARLY,
            f"the motion has {ayes} of {votes.threshold} ayes needed; it closes anyway at block "
            f"#{votes.end}",
        )
    _remove(state, proposal)
    ctx.emit(ev.Closed(proposal, ayes, nays))
    if carried and call is not None:
        ctx.emit(ev.Approved(proposal))
        result = run_nested(state, ctx.with_origin(CouncilOrigin(ayes, members)), call)
        ctx.emit(ev.Executed(proposal, result))
    else:
        ctx.emit(ev.Disapproved(proposal))


def disapprove_proposal(state: State, ctx: Context, args: DisapproveProposal) -> None:
    """Drop an open motion (root)."""
    ensure_root(ctx)
    proposal = bytes(args.proposal_hash)
    if st.VOTING.get(state, proposal) is None:
        raise council_error(CouncilErrorCode.PROPOSAL_MISSING, "no open motion has this hash")
    _remove(state, proposal)
    ctx.emit(ev.Disapproved(proposal))


def _remove(state: State, proposal: bytes) -> None:
    st.PROPOSALS.put(state, [p for p in st.PROPOSALS.get(state) if bytes(p) != proposal])
    st.PROPOSAL_OF.remove(state, proposal)
    st.VOTING.remove(state, proposal)


CALLS: dict[type, CallSpec] = {
    SetMembers: CallSpec(set_members, CALL_WEIGHT),
    Propose: CallSpec(propose, CALL_WEIGHT),
    Vote: CallSpec(vote, CALL_WEIGHT),
    DisapproveProposal: CallSpec(disapprove_proposal, CALL_WEIGHT),
    Close: CallSpec(close, CALL_WEIGHT),
}
"""Handlers of council calls."""
