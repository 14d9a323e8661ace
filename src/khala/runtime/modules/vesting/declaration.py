"""Vesting's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.primitives.scale import U32
from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import vesting
from khala.runtime.modules.vesting import calls, constants, errors, events, hooks, state
from khala.runtime.types import Balance

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=vesting.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.VestingErrorCode,
    build_genesis=hooks.build_genesis,
    state=state,
    constants=(
        Constant(
            "MinVestedTransfer",
            Balance,
            constants.MIN_VESTED_TRANSFER,
            "The smallest vested transfer, in planck.",
        ),
        Constant("MaxVestingSchedules", U32, constants.MAX_SCHEDULES, "Schedules per account."),
    ),
)
"""Vesting's entry in the runtime table."""
