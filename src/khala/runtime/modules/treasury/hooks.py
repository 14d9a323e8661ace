"""Treasury's hook: every spend period pay the approvals in order, then burn a share."""

from __future__ import annotations

from khala.runtime.context import Context
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.treasury import events as ev
from khala.runtime.modules.treasury import state as st
from khala.runtime.modules.treasury.constants import ACCOUNT, PERMILL
from khala.runtime.state import State


def budget(state: State) -> int:
    """What the treasury may spend: its free balance above the existential deposit."""
    return max(currency.free_balance(state, ACCOUNT) - EXISTENTIAL_DEPOSIT, 0)


def on_initialize(state: State, ctx: Context) -> None:
    """At each spend period: pay approvals while funds last, then burn and roll over."""
    now = ctx.env.number
    if now == 0 or now % ctx.config.treasury_spend_blocks:
        return
    spend_funds(state, ctx)


def spend_funds(state: State, ctx: Context) -> None:
    """Pay the approved proposals in order while the budget covers each; burn; roll over.

    A proposal the budget cannot cover stops the payments (FRAME pays in order and keeps the
    rest approved for the next period).
    """
    remaining = budget(state)
    ctx.emit(ev.Spending(remaining))
    approvals = st.APPROVALS.get(state)
    paid = 0
    for index in approvals:
        proposal = st.PROPOSALS.get(state, index)
        if proposal is None:
            paid += 1
            continue
        if proposal.value > remaining:
            break
        remaining -= proposal.value
        beneficiary = bytes(proposal.beneficiary)
        currency.unreserve(state, ctx, bytes(proposal.proposer), proposal.bond)
        currency.transfer(state, ctx, ACCOUNT, beneficiary, proposal.value, keep_alive=True)
        st.PROPOSALS.remove(state, index)
        ctx.emit(ev.Awarded(index, proposal.value, beneficiary))
        paid += 1
    st.APPROVALS.put(state, approvals[paid:])
    burn = remaining * ctx.config.treasury_burn_permill // PERMILL
    if burn:
        currency.burn(state, ctx, ACCOUNT, burn)
        remaining -= burn
        ctx.emit(ev.Burnt(burn))
    ctx.emit(ev.Rollover(remaining))
