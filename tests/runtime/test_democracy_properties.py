"""Conviction locks through the democracy module (hypothesis over random governance actions).

Votes, split votes, delegations, vote removals, unlocks, transfers, preimage deposits and
passing blocks in any order: after every action the account's free balance stays at or above
its largest lock, the democracy lock covers every standing vote or delegation and every
unexpired prior lock, and once everything has ended and been removed the lock is gone.
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from khala.runtime.context import RootOrigin
from khala.runtime.modules.balances.calls import TransferKeepAlive
from khala.runtime.modules.balances.state import LOCKS
from khala.runtime.modules.democracy import calls as c
from khala.runtime.modules.democracy import referenda
from khala.runtime.modules.democracy import state as dst
from khala.runtime.modules.democracy.types import (
    Conviction,
    Finished,
    Split,
    Standard,
    VoteThreshold,
    is_aye,
    vote_byte,
)
from khala.runtime.modules.democracy.voting import vote_balance
from khala.runtime.modules.preimage.calls import NotePreimage
from khala.runtime.types import AddressId
from tests.runtime.gov_world import PHA, GovWorld, account

VOTER = 6  # 60 PHA
actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("vote"), st.integers(0, 2), st.integers(0, 6), st.booleans(), st.integers(1, 70)
        ),
        st.tuples(st.just("split"), st.integers(0, 2), st.integers(0, 40), st.integers(0, 40)),
        st.tuples(st.just("delegate"), st.integers(1, 5), st.integers(0, 6), st.integers(1, 70)),
        st.tuples(st.just("undelegate")),
        st.tuples(st.just("remove"), st.integers(0, 2)),
        st.tuples(st.just("unlock")),
        st.tuples(st.just("transfer"), st.integers(1, 70)),
        st.tuples(st.just("note"), st.integers(1, 2_000)),
        st.tuples(st.just("blocks"), st.integers(1, 40)),
    ),
    max_size=25,
)


def _lock(world: GovWorld, who: int) -> int:
    return max((lock.amount for lock in LOCKS.get(world.state, account(who))), default=0)


def _call(action: tuple[Any, ...]) -> Any:
    kind = action[0]
    if kind == "vote":
        _, ref, conviction, aye, amount = action
        return c.Vote(ref, Standard(vote_byte(aye, Conviction(conviction)), amount * PHA))
    if kind == "split":
        return c.Vote(action[1], Split(action[2] * PHA, action[3] * PHA))
    if kind == "delegate":
        return c.Delegate(AddressId(account(action[1])), Conviction(action[2]), action[3] * PHA)
    if kind == "undelegate":
        return c.Undelegate()
    if kind == "remove":
        return c.RemoveVote(action[1])
    if kind == "unlock":
        return c.Unlock(AddressId(account(VOTER)))
    if kind == "transfer":
        return TransferKeepAlive(AddressId(account(1)), action[1] * PHA)
    return NotePreimage(bytes(action[1]))


class Model:
    """What the voter's past actions oblige the lock to hold, computed independently."""

    def __init__(self) -> None:
        self.votes: dict[int, Any] = {}
        self.delegated: tuple[int, Conviction] | None = None
        self.priors: list[tuple[int, int]] = []

    def applied(self, world: GovWorld, action: tuple[Any, ...]) -> None:
        """Record a successful action."""
        kind = action[0]
        if kind in ("vote", "split"):
            self.votes[action[1]] = _call(action).vote
        elif kind == "delegate":
            self.delegated = (action[3] * PHA, Conviction(action[2]))
        elif kind == "undelegate" and self.delegated is not None:
            balance, conviction = self.delegated
            self.priors.append((world.number + 3 * conviction.lock_periods, balance))
            self.delegated = None
        elif kind == "remove":
            vote = self.votes.pop(action[1])
            info = dst.REFERENDUM_INFO_OF.get(world.state, action[1])
            if isinstance(info, Finished) and isinstance(vote, Standard):
                conviction = Conviction(vote.vote & 0x7F)
                if is_aye(vote.vote) == info.approved:
                    self.priors.append((info.end + 3 * conviction.lock_periods, vote.balance))

    def required(self, now: int) -> int:
        """What the democracy lock must at least hold at block ``now``."""
        held = [vote_balance(vote) for vote in self.votes.values()]
        held += [balance for until, balance in self.priors if now < until]
        if self.delegated is not None:
            held.append(self.delegated[0])
        return max(held, default=0)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(actions)
@example([("vote", 0, 3, True, 30), ("blocks", 6), ("remove", 0), ("unlock",)])
@example([("delegate", 2, 2, 40), ("undelegate",), ("unlock",), ("blocks", 5), ("unlock",)])
def test_conviction_locks_hold_and_release(script: list[tuple[Any, ...]]) -> None:
    world = GovWorld()
    root = world.context(RootOrigin())
    for end, threshold in (
        (5, VoteThreshold.SIMPLE_MAJORITY),
        (12, VoteThreshold.SUPER_MAJORITY_APPROVE),
        (30, VoteThreshold.SIMPLE_MAJORITY),
    ):
        referenda.start(world.state, root, bytes(32), threshold, 0, end)
    model = Model()
    for action in script:
        if action[0] == "blocks":
            world.fast_forward_to(world.number + action[1])
        elif world.call(VOTER, _call(action)) is None:
            model.applied(world, action)
        free = world.free(VOTER)
        assert free >= _lock(world, VOTER)
        assert _lock(world, VOTER) >= model.required(world.number)
    # everything ends, every vote is removed, the delegation withdrawn: the lock goes
    world.call(VOTER, c.Undelegate())
    world.fast_forward_to(world.number + 40 + 32 * 3)
    for ref in range(3):
        world.call(VOTER, c.RemoveVote(ref))
    world.fast_forward_to(world.number + 32 * 3 + 1)
    world.ok(VOTER, c.Unlock(AddressId(account(VOTER))))
    assert _lock(world, VOTER) == 0
