"""System's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.primitives.scale import U16, U32
from khala.primitives.ss58 import KHALA_PREFIX
from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import system
from khala.runtime.modules.system import calls, constants, errors, events, hooks, state

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=system.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.SystemErrorCode,
    on_initialize=hooks.on_initialize,
    build_genesis=hooks.build_genesis,
    state=state,
    constants=(
        Constant(
            "BlockHashCount",
            U32,
            constants.BLOCK_HASH_COUNT,
            "Block hashes kept for mortal transactions: an era can span at most this many blocks.",
        ),
        Constant("SS58Prefix", U16, KHALA_PREFIX, "The SS58 address format of this chain."),
    ),
)
"""System's entry in the runtime table."""
