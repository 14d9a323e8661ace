"""Utility's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.primitives.scale import U32
from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import utility
from khala.runtime.modules.utility import calls, constants, errors, events

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=utility.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.UtilityErrorCode,
    constants=(
        Constant("BatchedCallsLimit", U32, constants.MAX_CALLS, "Calls one batch may carry."),
    ),
)
"""Utility's entry in the runtime table."""
