"""Democracy: FRAME's scenarios with FRAME's numbers, threshold edges, origins, enactment.

The world mirrors FRAME democracy's mock (accounts 1..6 with 10..60 PHA, periods of 2 blocks,
lock period 3); tallies are in planck, so FRAME's "10" is 10 PHA here.
"""

from __future__ import annotations

from typing import Any

import pytest

from khala.primitives.hashing import blake2_256
from khala.primitives.scale import Err, Ok
from khala.runtime.context import CouncilOrigin, RootOrigin
from khala.runtime.modules.balances.calls import ForceSetBalance
from khala.runtime.modules.democracy import calls as c
from khala.runtime.modules.democracy import events as ev
from khala.runtime.modules.democracy import referenda
from khala.runtime.modules.democracy import state as st
from khala.runtime.modules.democracy.constants import MINIMUM_DEPOSIT
from khala.runtime.modules.democracy.tally import approved
from khala.runtime.modules.democracy.types import (
    Conviction,
    Finished,
    Ongoing,
    Split,
    Standard,
    Tally,
    VoteThreshold,
    vote_byte,
)
from khala.runtime.modules.preimage.calls import (
    NotePreimage,
    UnnotePreimage,
    deposit_for,
    is_noted,
)
from khala.runtime.modules.scheduler import events as sev
from khala.runtime.modules.scheduler.state import AGENDA
from khala.runtime.types import AddressId
from tests.runtime.gov_world import PHA, GovWorld, account, preimage

SET_42 = ForceSetBalance(AddressId(bytes([42]) * 32), 2 * PHA)
"""FRAME's ``set_balance_proposal(2)``: sets account 42's balance."""


def aye(conviction: int, balance: int) -> Standard:
    return Standard(vote_byte(True, Conviction(conviction)), balance * PHA)


def nay(conviction: int, balance: int) -> Standard:
    return Standard(vote_byte(False, Conviction(conviction)), balance * PHA)


def big_aye(who: int) -> Standard:
    return aye(1, 10 * who)


def big_nay(who: int) -> Standard:
    return nay(1, 10 * who)


def noted(world: GovWorld, call: Any = SET_42) -> bytes:
    """Note ``call``'s preimage (as account 6) and return its hash."""
    data = preimage(call)
    digest = blake2_256(data)
    if not is_noted(world.state, digest):
        world.ok(6, NotePreimage(data))
    return digest


def inject(
    world: GovWorld, end: int, threshold: VoteThreshold, delay: int = 0, *, note: bool = True
) -> int:
    """FRAME's ``inject_referendum`` (``note=False``: without noting the preimage)."""
    proposal = noted(world) if note else blake2_256(preimage(SET_42))
    ctx = world.context(world_root())
    return referenda.start(world.state, ctx, proposal, threshold, delay, end)


def world_root() -> Any:

    return RootOrigin()


def tally(world: GovWorld, index: int) -> Tally:
    info = st.REFERENDUM_INFO_OF.get(world.state, index)
    assert isinstance(info, Ongoing)
    return info.status.tally


def t(ayes: int, nays: int, turnout: int) -> Tally:
    """A tally in PHA."""
    return Tally(ayes * PHA, nays * PHA, turnout * PHA)


# --- the adaptive quorum (FRAME's vote_threshold tests, then the edges) ----------------------


def test_frame_vote_threshold_vectors() -> None:
    """``vote_threshold::should_work``: 60/50 of 210 fails, 100/50 passes."""
    assert not approved(VoteThreshold.SUPER_MAJORITY_APPROVE, Tally(60, 50, 110), 210)
    assert approved(VoteThreshold.SUPER_MAJORITY_APPROVE, Tally(100, 50, 150), 210)


@pytest.mark.parametrize(
    ("threshold", "tally", "electorate", "passes"),
    [
        (VoteThreshold.SIMPLE_MAJORITY, Tally(50, 50, 100), 1000, False),  # exactly half
        (VoteThreshold.SIMPLE_MAJORITY, Tally(51, 50, 101), 1000, True),  # one vote more
        (VoteThreshold.SIMPLE_MAJORITY, Tally(0, 0, 0), 1000, False),  # nobody voted
        # full turnout: the bias vanishes, a majority of one passes either super-majority
        (VoteThreshold.SUPER_MAJORITY_APPROVE, Tally(51, 49, 100), 100, True),
        (VoteThreshold.SUPER_MAJORITY_AGAINST, Tally(51, 49, 100), 100, True),
        (VoteThreshold.SUPER_MAJORITY_APPROVE, Tally(50, 50, 100), 100, False),
        # turnout 100 of 10,000: approve needs ayes > 10 x nays; exactly 10 x is not enough
        (VoteThreshold.SUPER_MAJORITY_APPROVE, Tally(91, 9, 100), 10_000, True),
        (VoteThreshold.SUPER_MAJORITY_APPROVE, Tally(90, 9, 100), 10_000, False),
        # ... while against passes unless nays reach 10 x ayes
        (VoteThreshold.SUPER_MAJORITY_AGAINST, Tally(10, 99, 100), 10_000, True),
        (VoteThreshold.SUPER_MAJORITY_AGAINST, Tally(10, 100, 100), 10_000, False),
        # square roots round down: turnout 3 counts as 1, electorate 8 as 2
        (VoteThreshold.SUPER_MAJORITY_APPROVE, Tally(3, 1, 3), 8, True),
        (VoteThreshold.SUPER_MAJORITY_APPROVE, Tally(2, 1, 3), 8, False),
    ],
)
def test_quorum_edges(
    threshold: VoteThreshold, tally: Tally, electorate: int, passes: bool
) -> None:
    """Exactly half fails, one more passes; turnout biases the super-majorities."""
    assert approved(threshold, tally, electorate) is passes


def test_conviction_multipliers_and_lock_periods() -> None:
    """0.1x (rounded down) with no lock, then 1x..6x locked 1, 2, 4, 8, 16, 32 periods."""
    assert [Conviction(c).votes(15) for c in range(7)] == [1, 15, 30, 45, 60, 75, 90]
    assert [Conviction(c).lock_periods for c in range(7)] == [0, 1, 2, 4, 8, 16, 32]


# --- FRAME's voting scenarios ------------------------------------------------------------------


def test_single_proposal_passes_and_is_enacted_through_the_scheduler() -> None:
    """``single_proposal_should_work``: launched at 2, ends at 4, enacted at 6."""
    world = GovWorld()
    proposal = noted(world)
    world.ok(1, c.Propose(proposal, MINIMUM_DEPOSIT))
    assert st.REFERENDUM_INFO_OF.get(world.state, 0) is None
    world.fast_forward_to(2)
    world.ok(1, c.Vote(0, aye(0, 10)))
    assert tally(world, 0) == Tally(1 * PHA, 0, 10 * PHA)
    info = st.REFERENDUM_INFO_OF.get(world.state, 0)
    assert isinstance(info, Ongoing) and info.status.end == 4 and info.status.delay == 2
    assert info.status.threshold == VoteThreshold.SUPER_MAJORITY_APPROVE
    world.fast_forward_to(3)
    assert isinstance(st.REFERENDUM_INFO_OF.get(world.state, 0), Ongoing)
    world.fast_forward_to(4)
    assert st.REFERENDUM_INFO_OF.get(world.state, 0) == Finished(True, 4)
    assert any(task is not None for task in AGENDA.get(world.state, 6))
    world.fast_forward_to(5)
    assert world.free(bytes([42]) * 32) == 0
    world.fast_forward_to(6)
    assert world.free(bytes([42]) * 32) == 2 * PHA
    enacted = world.take_events(ev.Enacted)
    assert enacted == [ev.Enacted(0, proposal, Ok(()))]


@pytest.mark.parametrize(
    ("voters", "expected", "passes"),
    [
        ((1, -2, -3, 4, -5, 6), t(110, 100, 210), True),  # controversial_voting_should_work
        ((-5, 6), t(60, 50, 110), False),  # controversial_low_turnout_voting_should_work
        ((4, -5, 6), t(100, 50, 150), True),  # passing_low_turnout_voting_should_work
    ],
)
def test_frame_turnout_scenarios(voters: tuple[int, ...], expected: Tally, passes: bool) -> None:
    """Big ayes and nays (1x each account's balance): FRAME's tallies and outcomes."""
    world = GovWorld()  # total issuance 210 PHA, as in FRAME's mock
    index = inject(world, 2, VoteThreshold.SUPER_MAJORITY_APPROVE, note=False)
    for voter in voters:
        vote = big_aye(voter) if voter > 0 else big_nay(-voter)
        world.ok(abs(voter), c.Vote(index, vote))
    assert tally(world, index) == expected
    world.fast_forward_to(2)
    assert st.REFERENDUM_INFO_OF.get(world.state, index) == Finished(passes, 2)


def test_overvoting_and_split_votes() -> None:
    """``overvoting_should_fail`` / ``split_voting_should_work``: 30/20 split counts 3/2."""
    world = GovWorld()
    index = inject(world, 2, VoteThreshold.SUPER_MAJORITY_APPROVE)
    assert world.call(1, c.Vote(index, aye(0, 20))) == "democracy.insufficient_funds"
    too_much = Split(40 * PHA, 20 * PHA)
    assert world.call(5, c.Vote(index, too_much)) == "democracy.insufficient_funds"
    world.ok(5, c.Vote(index, Split(30 * PHA, 20 * PHA)))
    assert tally(world, index) == t(3, 2, 50)
    world.ok(5, c.RemoveVote(index))
    assert tally(world, index) == Tally(0, 0, 0)
    world.ok(5, c.Unlock(AddressId(account(5))))
    assert world.democracy_lock(5) == 0


def test_lock_voting() -> None:
    """``lock_voting_should_work``: winners stay locked for their conviction's periods."""
    world = GovWorld()
    index = inject(world, 2, VoteThreshold.SUPER_MAJORITY_APPROVE)
    votes = {1: nay(5, 10), 2: aye(4, 20), 3: aye(3, 30), 4: aye(2, 40), 5: nay(1, 50)}
    for who, vote in votes.items():
        world.ok(who, c.Vote(index, vote))
    assert tally(world, index) == t(250, 100, 150)
    assert [world.democracy_lock(who) for who in range(1, 6)] == [n * 10 * PHA for n in range(1, 6)]
    world.fast_forward_to(3)
    # 1 and 5 lost: they (or anyone) may remove the votes and unlock
    world.ok(1, c.RemoveVote(index))
    world.ok(1, c.Unlock(AddressId(account(1))))
    world.ok(2, c.RemoveOtherVote(AddressId(account(5)), index))
    world.ok(2, c.Unlock(AddressId(account(5))))
    # winners cannot be reaped by others while locked; the owner may, keeping the lock
    other = c.RemoveOtherVote(AddressId(account(2)), index)
    assert world.call(1, other) == "democracy.no_permission"
    world.ok(2, c.RemoveVote(index))
    world.ok(2, c.Unlock(AddressId(account(2))))
    locks = [world.democracy_lock(who) for who in range(1, 6)]
    assert locks == [0, 20 * PHA, 30 * PHA, 40 * PHA, 0]
    assert world.free(bytes([42]) * 32) == 2 * PHA
    # 4: 2x, two periods of 3 after block 2 -> block 8
    world.fast_forward_to(7)
    assert (
        world.call(1, c.RemoveOtherVote(AddressId(account(4)), index)) == "democracy.no_permission"
    )
    world.ok(1, c.Unlock(AddressId(account(4))))
    assert world.democracy_lock(4) == 40 * PHA
    world.fast_forward_to(8)
    world.ok(1, c.RemoveOtherVote(AddressId(account(4)), index))
    world.ok(1, c.Unlock(AddressId(account(4))))
    assert world.democracy_lock(4) == 0
    # 3: 3x, four periods -> block 14
    world.fast_forward_to(13)
    assert (
        world.call(1, c.RemoveOtherVote(AddressId(account(3)), index)) == "democracy.no_permission"
    )
    world.fast_forward_to(14)
    world.ok(1, c.RemoveOtherVote(AddressId(account(3)), index))
    world.ok(1, c.Unlock(AddressId(account(3))))
    assert world.democracy_lock(3) == 0
    # 2 removed its vote already: its prior lock runs to 2 + 8 x 3 = 26
    world.fast_forward_to(25)
    world.ok(1, c.Unlock(AddressId(account(2))))
    assert world.democracy_lock(2) == 20 * PHA
    world.fast_forward_to(26)
    world.ok(1, c.Unlock(AddressId(account(2))))
    assert world.democracy_lock(2) == 0


def test_prior_locks_expire_one_by_one() -> None:
    """``prior_lockvotes_should_be_enforced``: 50 until #8, 20 until #14, 10 until #26."""
    world = GovWorld()
    indices = []
    for conviction, amount in ((4, 10), (3, 20), (2, 50)):
        index = inject(world, 2, VoteThreshold.SIMPLE_MAJORITY)
        world.ok(5, c.Vote(index, aye(conviction, amount)))
        indices.append(index)
    world.fast_forward_to(2)
    expectations = [
        (7, 2, False, 50),
        (8, 2, True, 20),
        (13, 1, False, 20),
        (14, 1, True, 10),
        (25, 0, False, 10),
        (26, 0, True, 0),
    ]
    for block, index, permitted, locked in expectations:
        world.fast_forward_to(block)
        remove = c.RemoveOtherVote(AddressId(account(5)), indices[index])
        assert world.call(1, remove) == (None if permitted else "democracy.no_permission")
        world.ok(5, c.Unlock(AddressId(account(5))))
        assert world.democracy_lock(5) == locked * PHA, block


def test_delegated_votes_count_with_the_delegates_vote() -> None:
    """``lock_voting_should_work_with_delegation``: 4 delegates 40 at 2x to 2."""
    world = GovWorld()
    index = inject(world, 2, VoteThreshold.SUPER_MAJORITY_APPROVE)
    world.ok(1, c.Vote(index, nay(5, 10)))
    world.ok(2, c.Vote(index, aye(4, 20)))
    world.ok(3, c.Vote(index, aye(3, 30)))
    world.ok(4, c.Delegate(AddressId(account(2)), Conviction.LOCKED2X, 40 * PHA))
    world.ok(5, c.Vote(index, nay(1, 50)))
    assert tally(world, index) == t(250, 100, 150)
    assert world.democracy_lock(4) == 40 * PHA
    assert world.call(4, c.Vote(index, aye(1, 1))) == "democracy.already_delegating"
    assert world.call(3, c.Delegate(AddressId(account(3)), Conviction.NONE, PHA)) == (
        "democracy.nonsense"
    )
    assert world.call(3, c.Delegate(AddressId(account(2)), Conviction.NONE, PHA)) == (
        "democracy.votes_exist"
    )
    world.ok(4, c.Undelegate())
    assert tally(world, index) == t(170, 100, 110)
    world.fast_forward_to(4)
    assert world.free(bytes([42]) * 32) == 2 * PHA


def test_locks_persist_from_delegation_to_voting() -> None:
    """Undelegating a 3x delegation keeps it locked four periods (``locks_should_persist``)."""
    world = GovWorld()
    world.ok(5, c.Delegate(AddressId(account(1)), Conviction.LOCKED3X, 20 * PHA))
    world.ok(5, c.Undelegate())
    world.fast_forward_to(11)
    world.ok(5, c.Unlock(AddressId(account(5))))
    assert world.democracy_lock(5) == 20 * PHA
    world.fast_forward_to(12)
    world.ok(5, c.Unlock(AddressId(account(5))))
    assert world.democracy_lock(5) == 0
    assert world.call(5, c.Undelegate()) == "democracy.not_delegating"


# --- proposals, seconds, external proposals, fast track, cancellation --------------------------


def test_the_most_backed_public_proposal_launches_first_and_deposits_return() -> None:
    """Seconds add backing; the tabled proposal's deposits are unreserved."""
    world = GovWorld()
    first = noted(world)
    second = noted(world, ForceSetBalance(AddressId(bytes([43]) * 32), 3 * PHA))
    assert world.call(1, c.Propose(first, MINIMUM_DEPOSIT - 1)) == "democracy.value_low"
    world.ok(1, c.Propose(first, MINIMUM_DEPOSIT))
    world.ok(2, c.Propose(second, MINIMUM_DEPOSIT))
    world.ok(3, c.Second(1))
    assert world.call(3, c.Second(7)) == "democracy.proposal_missing"
    assert world.reserved(3) == MINIMUM_DEPOSIT
    world.fast_forward_to(2)
    info = st.REFERENDUM_INFO_OF.get(world.state, 0)
    assert isinstance(info, Ongoing) and bytes(info.status.proposal) == second
    assert (
        world.reserved(2) == 0 and world.reserved(3) == 0 and world.reserved(1) == MINIMUM_DEPOSIT
    )
    assert world.take_events(ev.Tabled) == [ev.Tabled(1, MINIMUM_DEPOSIT)]
    world.fast_forward_to(4)  # the next launch tables the other one
    info = st.REFERENDUM_INFO_OF.get(world.state, 1)
    assert isinstance(info, Ongoing) and bytes(info.status.proposal) == first


def test_external_and_public_proposals_alternate() -> None:
    """With both waiting, the council's goes first, then a public one, then the council's."""
    world = GovWorld()
    public = noted(world)
    world.ok(1, c.Propose(public, MINIMUM_DEPOSIT))
    external = noted(world, ForceSetBalance(AddressId(bytes([43]) * 32), 3 * PHA))
    half = CouncilOrigin(2, 3)
    world.ok(half, c.ExternalProposeMajority(external))
    assert world.call(half, c.ExternalPropose(external)) == "democracy.duplicate_proposal"
    world.fast_forward_to(2)
    info = st.REFERENDUM_INFO_OF.get(world.state, 0)
    assert isinstance(info, Ongoing) and info.status.threshold == VoteThreshold.SIMPLE_MAJORITY
    third = noted(world, ForceSetBalance(AddressId(bytes([44]) * 32), 3 * PHA))
    assert world.call(half, c.ExternalProposeDefault(third)) == "dispatch.bad_origin"
    world.ok(CouncilOrigin(3, 3), c.ExternalProposeDefault(third))
    world.fast_forward_to(4)
    info = st.REFERENDUM_INFO_OF.get(world.state, 1)
    assert isinstance(info, Ongoing) and bytes(info.status.proposal) == public
    world.fast_forward_to(6)
    info = st.REFERENDUM_INFO_OF.get(world.state, 2)
    assert isinstance(info, Ongoing)
    assert info.status.threshold == VoteThreshold.SUPER_MAJORITY_AGAINST


def test_fast_track_needs_two_thirds_a_majority_proposal_and_the_minimum_period() -> None:
    """⅔ of the council starts the waiting majority proposal now, with its own delay."""
    world = GovWorld()
    proposal = noted(world)
    assert world.call(1, c.ExternalProposeMajority(proposal)) == "dispatch.bad_origin"
    world.ok(CouncilOrigin(1, 2), c.ExternalProposeMajority(proposal))
    track = c.FastTrack(proposal, 2, 0)
    assert world.call(CouncilOrigin(1, 2), track) == "dispatch.bad_origin"
    assert world.call(CouncilOrigin(2, 3), c.FastTrack(proposal, 1, 0)) == (
        "democracy.voting_period_low"
    )
    assert world.call(CouncilOrigin(2, 3), c.FastTrack(bytes(32), 2, 0)) == "democracy.no_proposal"
    world.ok(CouncilOrigin(2, 3), track)
    world.ok(1, c.Vote(0, aye(1, 10)))
    world.fast_forward_to(2)
    assert world.free(bytes([42]) * 32) == 0
    world.fast_forward_to(3)  # passed at 2 with delay 0: enacted in the next block
    assert world.free(bytes([42]) * 32) == 2 * PHA

    other = GovWorld()
    approve = noted(other)
    other.ok(None, c.ExternalPropose(approve))
    assert other.call(None, c.FastTrack(approve, 2, 0)) == "democracy.not_simple_majority"


def test_cancel_referendum_ongoing_and_before_enactment() -> None:
    """⅔ of the council cancels a running referendum, or a passed one before it is enacted."""
    world = GovWorld()
    running = inject(world, 2, VoteThreshold.SIMPLE_MAJORITY)
    assert world.call(CouncilOrigin(1, 2), c.CancelReferendum(running)) == "dispatch.bad_origin"
    world.ok(CouncilOrigin(2, 3), c.CancelReferendum(running))
    assert st.REFERENDUM_INFO_OF.get(world.state, running) == Finished(False, 0)
    passed = inject(world, 2, VoteThreshold.SIMPLE_MAJORITY, delay=3)
    world.ok(1, c.Vote(passed, aye(1, 10)))
    world.fast_forward_to(2)
    assert st.REFERENDUM_INFO_OF.get(world.state, passed) == Finished(True, 2)
    world.ok(CouncilOrigin(2, 3), c.CancelReferendum(passed))
    world.fast_forward_to(8)
    assert world.free(bytes([42]) * 32) == 0
    assert world.call(None, c.CancelReferendum(passed)) == "democracy.referendum_invalid"


def test_enactment_without_a_preimage_fails_visibly() -> None:
    """A referendum on a hash nobody noted passes, and its enactment records the error."""
    world = GovWorld()
    ctx = world.context(world_root())
    index = referenda.start(world.state, ctx, bytes(32), VoteThreshold.SIMPLE_MAJORITY, 0, 2)
    world.ok(1, c.Vote(index, aye(1, 10)))
    world.fast_forward_to(3)
    dispatched = world.take_events(sev.Dispatched)
    assert len(dispatched) == 1 and isinstance(dispatched[0].result, Err)
    assert world.take_events(ev.Enacted) == []


def test_preimages_cost_a_deposit_and_only_their_noter_removes_them() -> None:
    """``note_preimage`` reserves base + per byte; duplicates and strangers are refused."""
    world = GovWorld()
    data = preimage(SET_42)
    world.ok(1, NotePreimage(data))
    assert world.reserved(1) == deposit_for(len(data))
    assert world.call(2, NotePreimage(data)) == "preimage.already_noted"
    digest = blake2_256(data)
    assert world.call(2, UnnotePreimage(digest)) == "preimage.not_authorized"
    world.ok(1, UnnotePreimage(digest))
    assert world.reserved(1) == 0
    assert world.call(1, UnnotePreimage(digest)) == "preimage.not_noted"
