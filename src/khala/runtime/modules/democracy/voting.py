"""Votes, delegations and the democracy lock.

An account's voted PHA are locked (``democrac`` lock, all reasons) while its votes stand; a
vote on the winning side of a finished referendum keeps its balance locked for the
conviction's lock periods after the referendum's end (the ``prior`` lock), and so does a
delegation after it is withdrawn. ``unlock`` recomputes the lock from what still binds.
"""

from __future__ import annotations

from dataclasses import replace

from khala.runtime.context import Context
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.state import Reasons
from khala.runtime.modules.democracy import events as ev
from khala.runtime.modules.democracy import state as st
from khala.runtime.modules.democracy import tally as tl
from khala.runtime.modules.democracy.constants import LOCK_ID, MAX_VOTES
from khala.runtime.modules.democracy.errors import DemocracyErrorCode, democracy_error
from khala.runtime.modules.democracy.types import (
    EMPTY_VOTING,
    NO_PRIOR,
    AccountVote,
    Conviction,
    Delegating,
    Delegations,
    Direct,
    Finished,
    Ongoing,
    PriorLock,
    Split,
    Standard,
    Tally,
    conviction_of,
    is_aye,
)
from khala.runtime.state import State


def vote_balance(vote: AccountVote) -> int:
    """PHA a vote locks."""
    if isinstance(vote, Split):
        return vote.aye + vote.nay
    if isinstance(vote, Standard):
        return vote.balance
    raise TypeError(f"not a vote: {vote!r}")


def _put(state: State, who: bytes, voting: Direct | Delegating) -> None:
    """Store a voting record; one that holds nothing any more is removed."""
    if voting == EMPTY_VOTING:
        st.VOTING_OF.remove(state, who)
    else:
        st.VOTING_OF.insert(state, who, voting)


def accumulate(prior: PriorLock, until: int, balance: int) -> PriorLock:
    """A prior lock that also holds ``balance`` until ``until`` (the larger of each)."""
    return PriorLock(max(prior.until, until), max(prior.balance, balance))


def expire(prior: PriorLock, now: int) -> PriorLock:
    """The prior lock at block ``now`` (gone once its block is reached)."""
    return NO_PRIOR if now >= prior.until else prior


def ongoing(state: State, index: int) -> Ongoing:
    """The ongoing referendum ``index``.

    Raises:
        DispatchError: ``democracy.referendum_invalid``.
    """
    info = st.REFERENDUM_INFO_OF.get(state, index)
    if not isinstance(info, Ongoing):
        raise democracy_error(
            DemocracyErrorCode.REFERENDUM_INVALID, f"referendum #{index} is not ongoing"
        )
    return info


def _store_tally(state: State, index: int, info: Ongoing, tally: Tally) -> None:
    st.REFERENDUM_INFO_OF.insert(state, index, Ongoing(replace(info.status, tally=tally)))


def vote(state: State, ctx: Context, who: bytes, index: int, account_vote: AccountVote) -> None:
    """Record (or replace) ``who``'s vote on referendum ``index`` and extend the lock."""
    info = ongoing(state, index)
    if isinstance(account_vote, Standard) and conviction_of(account_vote.vote) is None:
        raise democracy_error(DemocracyErrorCode.BAD_CONVICTION, "conviction is 0..6")
    balance = vote_balance(account_vote)
    free = currency.free_balance(state, who)
    if balance > free:
        raise democracy_error(
            DemocracyErrorCode.INSUFFICIENT_FUNDS,
            f"voting {balance} planck with {free} free; vote with at most your free balance",
        )
    voting = st.VOTING_OF.get(state, who)
    if not isinstance(voting, Direct):
        raise democracy_error(
            DemocracyErrorCode.ALREADY_DELEGATING, "you delegate your votes; undelegate first"
        )
    votes = dict((int(i), v) for i, v in voting.votes)
    tally = info.status.tally
    if index in votes:
        tally = tl.add(tally, votes[index], voting.delegations, sign=-1)
    elif len(votes) >= MAX_VOTES:
        raise democracy_error(
            DemocracyErrorCode.MAX_VOTES_REACHED,
            f"you vote on {MAX_VOTES} referenda; remove finished votes first",
        )
    votes[index] = account_vote
    tally = tl.add(tally, account_vote, voting.delegations)
    st.VOTING_OF.insert(state, who, replace(voting, votes=sorted(votes.items())))
    _store_tally(state, index, info, tally)
    current = max([vote_balance(v) for v in votes.values()] + [voting.prior.balance])
    currency.set_lock(state, LOCK_ID, who, current, Reasons.ALL)
    ctx.emit(ev.Voted(who, index, account_vote))


def remove_vote(state: State, ctx: Context, who: bytes, index: int, *, by_other: bool) -> None:
    """Remove ``who``'s vote on ``index``; a winning conviction vote leaves a prior lock.

    Another account may only remove votes on finished referenda whose lock has expired.
    """
    voting = st.VOTING_OF.get(state, who)
    if not isinstance(voting, Direct):
        raise democracy_error(DemocracyErrorCode.NOT_VOTER, "the account delegates; no votes")
    votes = dict((int(i), v) for i, v in voting.votes)
    if index not in votes:
        raise democracy_error(DemocracyErrorCode.NOT_VOTER, f"no vote on referendum #{index}")
    account_vote = votes.pop(index)
    prior = voting.prior
    info = st.REFERENDUM_INFO_OF.get(state, index)
    if isinstance(info, Ongoing):
        if by_other:
            raise democracy_error(
                DemocracyErrorCode.NO_PERMISSION, "only the voter may remove a vote in progress"
            )
        tally = tl.add(info.status.tally, account_vote, voting.delegations, sign=-1)
        _store_tally(state, index, info, tally)
    elif isinstance(info, Finished) and isinstance(account_vote, Standard):
        conviction = conviction_of(account_vote.vote) or Conviction.NONE
        won = is_aye(account_vote.vote) == info.approved
        until = info.end + ctx.config.democracy_lock_blocks * conviction.lock_periods
        if won and conviction.lock_periods and ctx.env.number < until:
            if by_other:
                raise democracy_error(
                    DemocracyErrorCode.NO_PERMISSION,
                    f"the vote's lock runs until block #{until}; only the voter may remove it",
                )
            prior = accumulate(prior, until, account_vote.balance)
    _put(state, who, replace(voting, votes=sorted(votes.items()), prior=prior))


def _propagate(state: State, target: bytes, delegations: Delegations, sign: int) -> None:
    """Add (or remove) delegated votes to ``target``'s record and its ongoing standard votes."""
    voting = st.VOTING_OF.get(state, target)
    received = Delegations(
        voting.delegations.votes + sign * delegations.votes,
        voting.delegations.capital + sign * delegations.capital,
    )
    if isinstance(voting, Direct):
        for index, account_vote in voting.votes:
            info = st.REFERENDUM_INFO_OF.get(state, int(index))
            if isinstance(info, Ongoing) and isinstance(account_vote, Standard):
                aye = is_aye(account_vote.vote)
                tally = tl.add_delegation(info.status.tally, aye, delegations, sign)
                _store_tally(state, int(index), info, tally)
    _put(state, target, replace(voting, delegations=received))


def delegate(
    state: State, ctx: Context, who: bytes, target: bytes, conviction: Conviction, balance: int
) -> None:
    """Let ``target`` vote with ``balance`` of ``who``'s PHA at ``conviction``."""
    if who == target:
        raise democracy_error(DemocracyErrorCode.NONSENSE, "you cannot delegate to yourself")
    free = currency.free_balance(state, who)
    if balance > free:
        raise democracy_error(
            DemocracyErrorCode.INSUFFICIENT_FUNDS,
            f"delegating {balance} planck with {free} free",
        )
    voting = st.VOTING_OF.get(state, who)
    if isinstance(voting, Delegating):
        raise democracy_error(
            DemocracyErrorCode.ALREADY_DELEGATING, "you already delegate; undelegate first"
        )
    if isinstance(voting, Direct) and voting.votes:
        raise democracy_error(DemocracyErrorCode.VOTES_EXIST, "remove your votes before delegating")
    delegations = Delegations(conviction.votes(balance), balance)
    _propagate(state, target, delegations, 1)
    record = Delegating(balance, target, conviction, voting.delegations, voting.prior)
    st.VOTING_OF.insert(state, who, record)
    currency.set_lock(state, LOCK_ID, who, max(balance, voting.prior.balance), Reasons.ALL)
    ctx.emit(ev.Delegated(who, target))


def undelegate(state: State, ctx: Context, who: bytes) -> None:
    """Stop delegating; the delegated balance stays locked for the conviction's periods."""
    voting = st.VOTING_OF.get(state, who)
    if not isinstance(voting, Delegating):
        raise democracy_error(DemocracyErrorCode.NOT_DELEGATING, "you do not delegate")
    conviction = Conviction(voting.conviction)
    delegations = Delegations(conviction.votes(voting.balance), voting.balance)
    _propagate(state, bytes(voting.target), delegations, -1)
    until = ctx.env.number + ctx.config.democracy_lock_blocks * conviction.lock_periods
    prior = voting.prior
    if conviction.lock_periods:
        prior = accumulate(prior, until, voting.balance)
    _put(state, who, Direct([], voting.delegations, prior))
    ctx.emit(ev.Undelegated(who))


def unlock(state: State, ctx: Context, who: bytes) -> int:
    """Recompute ``who``'s lock from its standing votes, delegation and prior lock."""
    voting = st.VOTING_OF.get(state, who)
    if isinstance(voting, Direct):
        prior = expire(voting.prior, ctx.env.number)
        held = max([vote_balance(v) for _, v in voting.votes], default=0)
        _put(state, who, replace(voting, prior=prior))
    elif isinstance(voting, Delegating):
        prior = expire(voting.prior, ctx.env.number)
        held = voting.balance
        _put(state, who, replace(voting, prior=prior))
    else:
        raise TypeError(f"not a voting record: {voting!r}")
    locked = max(held, prior.balance)
    if locked:
        currency.set_lock(state, LOCK_ID, who, locked, Reasons.ALL)
    else:
        currency.remove_lock(state, LOCK_ID, who)
    ctx.emit(ev.Unlocked(who, locked))
    return locked
