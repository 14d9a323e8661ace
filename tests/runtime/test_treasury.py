"""Treasury: bonded spend proposals, council decisions, payment per spend period, the burn."""

from __future__ import annotations

from khala.runtime.context import CouncilOrigin
from khala.runtime.modules.balances import currency
from khala.runtime.modules.treasury import events as ev
from khala.runtime.modules.treasury import state as st
from khala.runtime.modules.treasury.calls import (
    ApproveProposal,
    ProposeSpend,
    RejectProposal,
    bond_for,
)
from khala.runtime.modules.treasury.constants import ACCOUNT
from khala.runtime.modules.treasury.hooks import budget
from khala.runtime.types import AddressId
from tests.runtime.gov_world import PHA, GovWorld, account

HALF = CouncilOrigin(2, 4)
BENEFICIARY = bytes([77]) * 32


def funded(amount: int) -> GovWorld:
    """A world whose treasury holds ``amount`` above the existential deposit."""
    world = GovWorld()
    currency.mint(world.state, None, ACCOUNT, amount + 10**10)
    return world


def test_the_bond_is_five_percent_and_at_least_one_pha() -> None:
    """5 % of 100 PHA is 5 PHA; 5 % of 10 PHA is below the 1 PHA minimum."""
    assert bond_for(100 * PHA) == 5 * PHA
    assert bond_for(10 * PHA) == 1 * PHA
    world = funded(0)
    world.ok(1, ProposeSpend(100 * PHA, AddressId(BENEFICIARY)))
    assert world.reserved(1) == 5 * PHA
    assert world.call(1, ProposeSpend(0, AddressId(BENEFICIARY))) == "treasury.zero_value"
    too_big = ProposeSpend(1000 * PHA, AddressId(BENEFICIARY))  # bond 50 PHA > 5 PHA left
    assert world.call(1, too_big) == "treasury.insufficient_proposers_balance"


def test_a_rejected_proposal_loses_its_bond_to_the_treasury() -> None:
    """Half of the council rejects; the bond moves into the treasury; accounts cannot."""
    world = funded(0)
    world.ok(2, ProposeSpend(40 * PHA, AddressId(BENEFICIARY)))
    assert world.call(3, RejectProposal(0)) == "dispatch.bad_origin"
    assert world.call(CouncilOrigin(1, 3), RejectProposal(0)) == "dispatch.bad_origin"
    before = world.free(ACCOUNT)
    world.ok(HALF, RejectProposal(0))
    assert world.free(ACCOUNT) == before + 2 * PHA
    assert world.reserved(2) == 0 and world.free(2) == 18 * PHA
    assert st.PROPOSALS.get(world.state, 0) is None
    assert world.take_events(ev.Rejected) == [ev.Rejected(0, 2 * PHA)]
    assert world.call(HALF, ApproveProposal(0)) == "treasury.invalid_index"


def test_approved_spends_are_paid_in_order_while_funds_last_then_one_percent_burns() -> None:
    """100 PHA funds the first 60 and not the next 50; 1 % of the 40 left burns; 50 waits."""
    world = funded(100 * PHA)
    world.ok(1, ProposeSpend(60 * PHA, AddressId(BENEFICIARY)))
    world.ok(3, ProposeSpend(50 * PHA, AddressId(account(5))))
    world.ok(HALF, ApproveProposal(0))
    world.ok(HALF, ApproveProposal(1))
    assert world.call(HALF, ApproveProposal(1)) == "treasury.already_approved"
    assert world.call(HALF, RejectProposal(1)) == "treasury.already_approved"
    issuance = currency.total_issuance(world.state)
    world.fast_forward_to(3)
    assert world.free(BENEFICIARY) == 0  # not before the spend period
    world.fast_forward_to(4)
    assert world.free(BENEFICIARY) == 60 * PHA
    assert world.reserved(1) == 0  # the bond came back
    assert world.take_events(ev.Awarded) == [ev.Awarded(0, 60 * PHA, BENEFICIARY)]
    assert world.take_events(ev.Burnt) == [ev.Burnt(40 * PHA // 100)]
    assert budget(world.state) == 40 * PHA - 40 * PHA // 100
    assert currency.total_issuance(world.state) == issuance - 40 * PHA // 100
    assert st.APPROVALS.get(world.state) == [1]
    assert world.take_events(ev.Rollover) == [ev.Rollover(budget(world.state))]
    currency.mint(world.state, None, ACCOUNT, 20 * PHA)  # fees arrive
    world.fast_forward_to(8)
    assert world.free(5) == 50 * PHA + 50 * PHA  # the beneficiary had 50 PHA
    assert world.reserved(3) == 0  # the proposer's 2.5 PHA bond came back
    assert st.APPROVALS.get(world.state) == []
