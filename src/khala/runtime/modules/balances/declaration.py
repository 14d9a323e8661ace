"""Balances' declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import balances
from khala.runtime.modules.balances import calls, constants, errors, events, hooks, state
from khala.runtime.types import Balance

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=balances.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.BalancesErrorCode,
    build_genesis=hooks.build_genesis,
    state=state,
    constants=(
        Constant(
            "ExistentialDeposit",
            Balance,
            constants.EXISTENTIAL_DEPOSIT,
            "The least balance an account may hold: 0.01 PHA; below it the account is reaped.",
        ),
    ),
)
"""Balances' entry in the runtime table."""
