"""Vault's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.primitives.scale import U32
from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import vault
from khala.runtime.modules.stake_pool.constants import PAID
from khala.runtime.modules.vault import calls, constants, errors, events, listeners, state

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=vault.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.VaultErrorCode,
    state=state,
    constants=(
        Constant(
            "MaxInvestPools", U32, constants.MAX_INVEST_POOLS, "Pools one vault may invest in."
        ),
    ),
    listeners={PAID: listeners.on_pool_paid},
)
"""Vault's entry in the runtime table."""
