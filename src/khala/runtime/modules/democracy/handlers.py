"""Democracy call handlers: origins and checks, then the ledgers (voting, referenda)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from khala.runtime.context import (
    ALL,
    HALF,
    TWO_THIRDS,
    Context,
    ensure_governance,
    ensure_root,
    ensure_signed,
    lookup,
)
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.balances import currency
from khala.runtime.modules.democracy import calls as c
from khala.runtime.modules.democracy import events as ev
from khala.runtime.modules.democracy import referenda, voting
from khala.runtime.modules.democracy import state as st
from khala.runtime.modules.democracy.constants import (
    CALL_WEIGHT,
    MAX_DEPOSITS,
    MAX_PROPOSALS,
    MINIMUM_DEPOSIT,
)
from khala.runtime.modules.democracy.errors import DemocracyErrorCode, democracy_error
from khala.runtime.modules.democracy.types import Conviction, VoteThreshold
from khala.runtime.state import State
from khala.runtime.types import DispatchClass, Pays


def propose(state: State, ctx: Context, args: c.Propose) -> None:
    """Queue a public proposal with its deposit reserved."""
    who = ensure_signed(ctx)
    if args.value < MINIMUM_DEPOSIT:
        raise democracy_error(
            DemocracyErrorCode.VALUE_LOW,
            f"deposit {args.value} planck is below the minimum {MINIMUM_DEPOSIT}",
        )
    props = st.PUBLIC_PROPS.get(state)
    if len(props) >= MAX_PROPOSALS:
        raise democracy_error(
            DemocracyErrorCode.TOO_MANY_PROPOSALS,
            f"{MAX_PROPOSALS} proposals are waiting; second one of them instead",
        )
    currency.reserve(state, ctx, who, args.value)
    index = st.PUBLIC_PROP_COUNT.get(state)
    st.PUBLIC_PROP_COUNT.put(state, index + 1)
    st.PUBLIC_PROPS.put(state, [*props, (index, bytes(args.proposal_hash), who)])
    st.DEPOSIT_OF.insert(state, index, ([who], args.value))
    ctx.emit(ev.Proposed(index, args.value))


def second(state: State, ctx: Context, args: c.Second) -> None:
    """Back a waiting proposal with the proposer's deposit."""
    who = ensure_signed(ctx)
    deposit = st.DEPOSIT_OF.get(state, args.proposal)
    if deposit is None:
        raise democracy_error(
            DemocracyErrorCode.PROPOSAL_MISSING, f"no waiting proposal #{args.proposal}"
        )
    backers, amount = deposit
    if len(backers) >= MAX_DEPOSITS:
        raise democracy_error(
            DemocracyErrorCode.TOO_MANY_PROPOSALS,
            f"proposal #{args.proposal} has {MAX_DEPOSITS} seconds already",
        )
    currency.reserve(state, ctx, who, amount)
    st.DEPOSIT_OF.insert(state, args.proposal, ([*backers, who], amount))
    ctx.emit(ev.Seconded(who, args.proposal))


def vote(state: State, ctx: Context, args: c.Vote) -> None:
    """Vote on an ongoing referendum."""
    voting.vote(state, ctx, ensure_signed(ctx), args.ref_index, args.vote)


def _external(
    state: State, ctx: Context, proposal: bytes, threshold: VoteThreshold, share: tuple[int, int]
) -> None:
    ensure_governance(ctx, share)
    if st.NEXT_EXTERNAL.get(state) is not None:
        raise democracy_error(
            DemocracyErrorCode.DUPLICATE_PROPOSAL,
            "a council proposal is already waiting; it is tabled at the next launch",
        )
    st.NEXT_EXTERNAL.put(state, (proposal, threshold))


def external_propose(state: State, ctx: Context, args: c.ExternalPropose) -> None:
    """Queue the council's proposal (super-majority approve)."""
    _external(state, ctx, args.proposal_hash, VoteThreshold.SUPER_MAJORITY_APPROVE, HALF)


def external_propose_majority(state: State, ctx: Context, args: c.ExternalProposeMajority) -> None:
    """Queue the council's proposal (simple majority)."""
    _external(state, ctx, args.proposal_hash, VoteThreshold.SIMPLE_MAJORITY, HALF)


def external_propose_default(state: State, ctx: Context, args: c.ExternalProposeDefault) -> None:
    """Queue the whole council's proposal (super-majority against)."""
    _external(state, ctx, args.proposal_hash, VoteThreshold.SUPER_MAJORITY_AGAINST, ALL)


def fast_track(state: State, ctx: Context, args: c.FastTrack) -> None:
    """Start a referendum on the waiting council proposal now."""
    ensure_governance(ctx, TWO_THIRDS)
    external = st.NEXT_EXTERNAL.get(state)
    if external is None or bytes(external[0]) != bytes(args.proposal_hash):
        raise democracy_error(
            DemocracyErrorCode.NO_PROPOSAL, "the council has no waiting proposal with this hash"
        )
    threshold = VoteThreshold(external[1])
    if threshold is VoteThreshold.SUPER_MAJORITY_APPROVE:
        raise democracy_error(
            DemocracyErrorCode.NOT_SIMPLE_MAJORITY,
            "a super-majority-approve proposal waits for its launch; propose it by majority",
        )
    minimum = ctx.config.democracy_fast_track_blocks
    if args.voting_period < minimum:
        raise democracy_error(
            DemocracyErrorCode.VOTING_PERIOD_LOW,
            f"voting period {args.voting_period} is below the fast-track minimum {minimum}",
        )
    st.NEXT_EXTERNAL.kill(state)
    end = ctx.env.number + args.voting_period
    referenda.start(state, ctx, bytes(args.proposal_hash), threshold, args.delay, end)


def cancel_referendum(state: State, ctx: Context, args: c.CancelReferendum) -> None:
    """Cancel an ongoing referendum or a passed one's enactment."""
    ensure_governance(ctx, TWO_THIRDS)
    referenda.cancel(state, ctx, args.ref_index)


def delegate(state: State, ctx: Context, args: c.Delegate) -> None:
    """Delegate votes."""
    who = ensure_signed(ctx)
    if not 0 <= int(args.conviction) <= Conviction.LOCKED6X:
        raise democracy_error(DemocracyErrorCode.BAD_CONVICTION, "conviction is 0..6")
    target = lookup(args.to)
    voting.delegate(state, ctx, who, target, Conviction(args.conviction), args.balance)


def undelegate(state: State, ctx: Context, args: c.Undelegate) -> None:
    """Stop delegating."""
    del args
    voting.undelegate(state, ctx, ensure_signed(ctx))


def unlock(state: State, ctx: Context, args: c.Unlock) -> None:
    """Recompute a democracy lock."""
    ensure_signed(ctx)
    voting.unlock(state, ctx, lookup(args.target))


def remove_vote(state: State, ctx: Context, args: c.RemoveVote) -> None:
    """Remove your own vote."""
    voting.remove_vote(state, ctx, ensure_signed(ctx), args.index, by_other=False)


def remove_other_vote(state: State, ctx: Context, args: c.RemoveOtherVote) -> None:
    """Remove another account's expired vote."""
    who = ensure_signed(ctx)
    target = lookup(args.target)
    voting.remove_vote(state, ctx, target, args.index, by_other=target != who)


def enact_proposal(state: State, ctx: Context, args: c.EnactProposal) -> None:
    """Run a passed referendum's call (root: scheduled when it passed)."""
    ensure_root(ctx)
    referenda.enact(state, ctx, bytes(args.proposal_hash), args.index)


def _spec(function: Callable[[State, Context, Any], None], *, free: bool = False) -> CallSpec:
    return CallSpec(function, CALL_WEIGHT, DispatchClass.NORMAL, Pays.NO if free else Pays.YES)


CALLS: dict[type, CallSpec] = {
    c.Propose: _spec(propose),
    c.Second: _spec(second),
    c.Vote: _spec(vote),
    c.ExternalPropose: _spec(external_propose, free=True),
    c.ExternalProposeMajority: _spec(external_propose_majority, free=True),
    c.ExternalProposeDefault: _spec(external_propose_default, free=True),
    c.FastTrack: _spec(fast_track, free=True),
    c.CancelReferendum: _spec(cancel_referendum, free=True),
    c.Delegate: _spec(delegate),
    c.Undelegate: _spec(undelegate),
    c.Unlock: _spec(unlock),
    c.RemoveVote: _spec(remove_vote),
    c.RemoveOtherVote: _spec(remove_other_vote),
    c.EnactProposal: _spec(enact_proposal, free=True),
}
"""Handlers of democracy calls (governance-only calls are free: only governance makes them)."""
