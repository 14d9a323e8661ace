"""The council: motions, votes, closing rules, and the council origin's shares at their edges."""

from __future__ import annotations

from typing import Any

from khala.primitives.hashing import blake2_256
from khala.primitives.scale import Err, Ok, encode
from khala.runtime.context import ALL, HALF, TWO_THIRDS, CouncilOrigin, ensure_governance
from khala.runtime.errors import DispatchError
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.calls import SetMiningEnabled
from khala.runtime.modules.council import events as ev
from khala.runtime.modules.council import state as st
from khala.runtime.modules.council.calls import (
    Close,
    DisapproveProposal,
    Propose,
    SetMembers,
    Vote,
)
from khala.runtime.types import BadOriginError
from tests.runtime.pool_world import World, account

MOTION = SetMiningEnabled(True)
DIGEST = blake2_256(encode(MOTION))
BOUND = 100


def _council(members: int) -> World:
    world = World()
    st.MEMBERS.put(world.state, sorted(account(n) for n in range(1, members + 1)))
    return world


def test_a_motion_carried_by_its_threshold_runs_with_the_council_origin() -> None:
    """2 of 3 ayes: the motion closes early and enables mining (a ½-council call)."""
    world = _council(3)
    assert world.call(99, Propose(2, MOTION, BOUND)) == "council.not_member"
    assert world.call(1, Propose(0, MOTION, BOUND)) == "council.wrong_threshold"
    assert world.call(1, Propose(4, MOTION, BOUND)) == "council.wrong_threshold"
    assert world.call(1, Propose(2, MOTION, 1)) == "council.wrong_proposal_length"
    world.ok(1, Propose(2, MOTION, BOUND))
    assert ev.Proposed(account(1), 0, DIGEST, 2) in world.events
    assert world.call(1, Propose(2, MOTION, BOUND)) == "council.duplicate_proposal"
    cst.MINING_ENABLED.put(world.state, False)
    assert world.call(4, Close(DIGEST, 0, BOUND)) == "council.too_early"
    assert world.call(1, Vote(DIGEST, 0, True)) == "council.duplicate_vote"
    assert world.call(2, Vote(DIGEST, 1, True)) == "council.wrong_index"
    world.ok(2, Vote(DIGEST, 0, True))
    assert ev.Voted(account(2), DIGEST, True, 2, 0) in world.events
    world.ok(4, Close(DIGEST, 0, BOUND))  # anyone may close a decided motion
    assert ev.Closed(DIGEST, 2, 0) in world.events and ev.Approved(DIGEST) in world.events
    assert ev.Executed(DIGEST, Ok(())) in world.events
    assert cst.MINING_ENABLED.get(world.state) is True
    assert st.PROPOSALS.get(world.state) == [] and st.VOTING.get(world.state, DIGEST) is None


def test_a_motion_that_cannot_pass_or_runs_out_of_time_fails() -> None:
    """Nays beyond members − threshold close it at once; otherwise it waits for its end."""
    world = _council(3)
    cst.MINING_ENABLED.put(world.state, False)
    world.ok(1, Propose(2, MOTION, BOUND))
    world.ok(2, Vote(DIGEST, 0, False))
    assert world.call(3, Close(DIGEST, 0, BOUND)) == "council.too_early"  # 1 nay of 1 allowed
    world.ok(3, Vote(DIGEST, 0, False))
    world.ok(3, Close(DIGEST, 0, BOUND))
    assert ev.Disapproved(DIGEST) in world.events and ev.Closed(DIGEST, 1, 2) in world.events
    world.ok(1, Propose(3, MOTION, BOUND))
    world.number += 20  # the dev motion duration
    world.ok(4, Close(DIGEST, 1, BOUND))
    assert ev.Closed(DIGEST, 1, 0) in world.events
    assert not cst.MINING_ENABLED.get(world.state)


def test_threshold_one_runs_at_once_but_only_with_its_one_vote() -> None:
    """A single member's motion carries 1 of 3: not enough for a ½-council call."""
    world = _council(3)
    cst.MINING_ENABLED.put(world.state, False)
    world.ok(1, Propose(1, MOTION, BOUND))
    [executed] = [e for e in world.events if isinstance(e, ev.MemberExecuted)]
    assert isinstance(executed.result, Err) and executed.result.error == BadOriginError()
    assert not cst.MINING_ENABLED.get(world.state)
    single = _council(1)
    cst.MINING_ENABLED.put(single.state, False)
    single.ok(1, Propose(1, MOTION, BOUND))  # 1 of 1 is the whole council
    assert cst.MINING_ENABLED.get(single.state) is True


def _allowed(ayes: int, members: int, share: tuple[int, int]) -> bool:
    ctx: Any = type("Ctx", (), {"origin": CouncilOrigin(ayes, members)})()
    try:
        ensure_governance(ctx, share)
    except DispatchError:
        return False
    return True


def test_council_shares_at_their_edges() -> None:
    """Exactly half passes ½; one vote short of ⅔ fails; "all" needs everyone."""
    assert _allowed(2, 4, HALF) and not _allowed(1, 4, HALF)
    assert _allowed(3, 5, HALF) and not _allowed(2, 5, HALF)
    assert _allowed(2, 3, TWO_THIRDS) and not _allowed(1, 3, TWO_THIRDS)
    assert _allowed(3, 4, TWO_THIRDS) and not _allowed(2, 4, TWO_THIRDS)
    assert _allowed(4, 6, TWO_THIRDS) and not _allowed(3, 6, TWO_THIRDS)
    assert _allowed(5, 5, ALL) and not _allowed(4, 5, ALL)


def test_members_are_set_by_governance_and_leavers_lose_their_votes() -> None:
    """set_members needs root or the whole council; votes of removed members are dropped."""
    world = _council(3)
    world.ok(1, Propose(2, MOTION, BOUND))
    world.ok(2, Vote(DIGEST, 0, False))
    assert world.call(1, SetMembers([account(1), account(3)])) == "dispatch.bad_origin"
    world.ok(None, SetMembers([account(3), account(1)]))
    assert st.MEMBERS.get(world.state) == [account(1), account(3)]
    votes = st.VOTING.get(world.state, DIGEST)
    assert votes is not None and (votes.ayes, votes.nays) == ([account(1)], [])
    assert world.call(1, DisapproveProposal(DIGEST)) == "dispatch.bad_origin"
    world.ok(None, DisapproveProposal(DIGEST))
    assert ev.Disapproved(DIGEST) in world.events and st.PROPOSALS.get(world.state) == []
