"""Treasury calls: propose a spend (anyone), approve or reject it (half of the council)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import Compact, ScaleEnum, variant
from khala.runtime.context import HALF, Context, ensure_governance, ensure_signed, lookup
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.errors import DispatchError
from khala.runtime.modules.balances import currency
from khala.runtime.modules.treasury import events as ev
from khala.runtime.modules.treasury import state as st
from khala.runtime.modules.treasury.constants import (
    ACCOUNT,
    CALL_WEIGHT,
    MAX_APPROVALS,
    PERMILL,
    PROPOSAL_BOND_MINIMUM,
    PROPOSAL_BOND_PERMILL,
)
from khala.runtime.modules.treasury.errors import TreasuryErrorCode, treasury_error
from khala.runtime.modules.treasury.types import Proposal
from khala.runtime.state import State
from khala.runtime.types import DispatchClass, MultiAddress, Pays


class Call(ScaleEnum):
    """A treasury call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class ProposeSpend(Call):
    """Propose paying ``value`` to ``beneficiary``, bonding 5 % of it (at least 1 PHA)."""

    value: Compact
    """The sum, in planck."""
    beneficiary: MultiAddress
    """Who is paid."""


@variant(1)
@dataclass(frozen=True, slots=True)
class RejectProposal(Call):
    """Council (½): reject an open proposal; its bond is slashed into the treasury."""

    proposal_id: Compact
    """The proposal."""


@variant(2)
@dataclass(frozen=True, slots=True)
class ApproveProposal(Call):
    """Council (½): approve a proposal for payment at the next spend period."""

    proposal_id: Compact
    """The proposal."""


def bond_for(value: int) -> int:
    """The bond of a proposal of ``value``: 5 %, at least 1 PHA (rounded down as FRAME)."""
    return max(value * PROPOSAL_BOND_PERMILL // PERMILL, PROPOSAL_BOND_MINIMUM)


def propose_spend(state: State, ctx: Context, args: ProposeSpend) -> None:
    """Record the proposal and reserve its bond."""
    who = ensure_signed(ctx)
    if args.value == 0:
        raise treasury_error(TreasuryErrorCode.ZERO_VALUE, "propose a positive value")
    beneficiary = lookup(args.beneficiary)
    bond = bond_for(args.value)
    try:
        currency.reserve(state, ctx, who, bond)
    except DispatchError:
        raise treasury_error(
            TreasuryErrorCode.INSUFFICIENT_PROPOSERS_BALANCE,
            f"the bond is {bond} planck (5 % of the value, at least 1 PHA) and you cannot "
            "reserve it",
        ) from None
    index = st.PROPOSAL_COUNT.get(state)
    st.PROPOSAL_COUNT.put(state, index + 1)
    st.PROPOSALS.insert(state, index, Proposal(who, args.value, beneficiary, bond))
    ctx.emit(ev.Proposed(index))


def _open(state: State, index: int) -> Proposal:
    proposal = st.PROPOSALS.get(state, index)
    if proposal is None:
        raise treasury_error(TreasuryErrorCode.INVALID_INDEX, f"no open proposal #{index}")
    return proposal


def reject_proposal(state: State, ctx: Context, args: RejectProposal) -> None:
    """Drop an open (not yet approved) proposal, slashing its bond into the treasury."""
    ensure_governance(ctx, HALF)
    proposal = _open(state, args.proposal_id)
    if args.proposal_id in st.APPROVALS.get(state):
        raise treasury_error(
            TreasuryErrorCode.ALREADY_APPROVED, f"proposal #{args.proposal_id} is approved"
        )
    proposer = bytes(proposal.proposer)
    slashed = currency.unreserve(state, ctx, proposer, proposal.bond)
    currency.transfer(state, ctx, proposer, ACCOUNT, slashed, keep_alive=False)
    st.PROPOSALS.remove(state, args.proposal_id)
    ctx.emit(ev.Rejected(args.proposal_id, slashed))


def approve_proposal(state: State, ctx: Context, args: ApproveProposal) -> None:
    """Queue an open proposal for payment."""
    ensure_governance(ctx, HALF)
    _open(state, args.proposal_id)
    approvals = st.APPROVALS.get(state)
    if args.proposal_id in approvals:
        raise treasury_error(
            TreasuryErrorCode.ALREADY_APPROVED, f"proposal #{args.proposal_id} is approved"
        )
    if len(approvals) >= MAX_APPROVALS:
        raise treasury_error(
            TreasuryErrorCode.TOO_MANY_APPROVALS,
            f"{MAX_APPROVALS} approved proposals wait for payment",
        )
    st.APPROVALS.put(state, [*approvals, args.proposal_id])


CALLS: dict[type, CallSpec] = {
    ProposeSpend: CallSpec(propose_spend, CALL_WEIGHT),
    RejectProposal: CallSpec(reject_proposal, CALL_WEIGHT, DispatchClass.NORMAL, Pays.NO),
    ApproveProposal: CallSpec(approve_proposal, CALL_WEIGHT, DispatchClass.NORMAL, Pays.NO),
}
"""Handlers of treasury calls (the council's are free)."""
