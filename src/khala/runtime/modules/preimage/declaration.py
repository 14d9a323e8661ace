"""Preimage's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.primitives.scale import U32
from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import preimage
from khala.runtime.modules.preimage import calls, constants, errors, events, state
from khala.runtime.types import Balance

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=preimage.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.PreimageErrorCode,
    state=state,
    constants=(
        Constant("BaseDeposit", Balance, constants.BASE_DEPOSIT, "Deposit for any preimage."),
        Constant("ByteDeposit", Balance, constants.BYTE_DEPOSIT, "Deposit per byte."),
        Constant("MaxSize", U32, constants.MAX_SIZE, "Largest preimage in bytes."),
    ),
)
"""Preimage's entry in the runtime table."""
