"""Treasury's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.primitives.scale import U32
from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import treasury
from khala.runtime.modules.treasury import calls, constants, errors, events, hooks, state
from khala.runtime.types import AccountId, Balance, BlockNumber

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=treasury.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.TreasuryErrorCode,
    on_initialize=hooks.on_initialize,
    state=state,
    constants=(
        Constant(
            "SpendPeriod",
            BlockNumber,
            lambda preset: preset.treasury_spend_blocks,
            "Blocks between spend periods.",
        ),
        Constant(
            "Burn",
            U32,
            lambda preset: preset.treasury_burn_permill,
            "Parts per million of the unspent funds burned each spend period.",
        ),
        Constant("ProposalBond", U32, constants.PROPOSAL_BOND_PERMILL, "Bond, per million."),
        Constant(
            "ProposalBondMinimum", Balance, constants.PROPOSAL_BOND_MINIMUM, "The least bond."
        ),
        Constant("PotAccount", AccountId, constants.ACCOUNT, "The treasury's account."),
    ),
)
"""Treasury's entry in the runtime table."""
