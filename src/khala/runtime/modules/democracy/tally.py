"""Counting votes: conviction weighting, tallies and the adaptive quorum (pure functions)."""

from __future__ import annotations

from dataclasses import replace
from math import isqrt

from khala.runtime.modules.democracy.types import (
    AccountVote,
    Conviction,
    Delegations,
    Split,
    Standard,
    Tally,
    VoteThreshold,
    conviction_of,
    is_aye,
)


def weigh(vote: AccountVote) -> tuple[int, int, int]:
    """``(aye votes, nay votes, turnout)`` a vote adds to a tally.

    A standard vote counts its balance times its conviction on its side; a split vote counts
    each part at 0.1x. Turnout is the PHA behind the vote, without conviction.
    """
    if isinstance(vote, Split):
        none = Conviction.NONE
        return none.votes(vote.aye), none.votes(vote.nay), vote.aye + vote.nay
    if not isinstance(vote, Standard):
        raise TypeError(f"not a vote: {vote!r}")
    conviction = conviction_of(vote.vote) or Conviction.NONE
    votes = conviction.votes(vote.balance)
    return (votes, 0, vote.balance) if is_aye(vote.vote) else (0, votes, vote.balance)


def add(tally: Tally, vote: AccountVote, delegations: Delegations, sign: int = 1) -> Tally:
    """``tally`` with ``vote`` (and, for a standard vote, the voter's delegations) added.

    ``sign=-1`` removes them again (a vote changed or withdrawn while the referendum runs).
    """
    ayes, nays, turnout = weigh(vote)
    if isinstance(vote, Standard):
        if is_aye(vote.vote):
            ayes += delegations.votes
        else:
            nays += delegations.votes
        turnout += delegations.capital
    return Tally(tally.ayes + sign * ayes, tally.nays + sign * nays, tally.turnout + sign * turnout)


def add_delegation(tally: Tally, aye: bool, delegations: Delegations, sign: int = 1) -> Tally:
    """``tally`` with delegated votes added to (``sign=-1``: removed from) ``aye``'s side."""
    if aye:
        tally = replace(tally, ayes=tally.ayes + sign * delegations.votes)
    else:
        tally = replace(tally, nays=tally.nays + sign * delegations.votes)
    return replace(tally, turnout=tally.turnout + sign * delegations.capital)


def less_than(n1: int, d1: int, n2: int, d2: int) -> bool:
    """Whether ``n1 / d1 < n2 / d2``, exactly (FRAME's ``compare_rationals``)."""
    return n1 * d2 < n2 * d1


def approved(threshold: VoteThreshold, tally: Tally, electorate: int) -> bool:
    """Whether a tally passes under ``threshold`` with ``electorate`` PHA able to vote.

    Square roots are FRAME's ``integer_sqrt`` (rounded down); no turnout passes nothing.
    """
    sqrt_turnout = isqrt(tally.turnout)
    sqrt_electorate = isqrt(electorate)
    if sqrt_turnout == 0:
        return False
    if threshold is VoteThreshold.SUPER_MAJORITY_APPROVE:
        return less_than(tally.nays, sqrt_turnout, tally.ayes, sqrt_electorate)
    if threshold is VoteThreshold.SUPER_MAJORITY_AGAINST:
        return less_than(tally.nays, sqrt_electorate, tally.ayes, sqrt_turnout)
    return tally.ayes > tally.nays
