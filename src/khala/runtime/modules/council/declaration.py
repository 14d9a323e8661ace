"""Council's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.primitives.scale import U32
from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import council
from khala.runtime.modules.council import calls, constants, errors, events, hooks, state

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=council.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.CouncilErrorCode,
    build_genesis=hooks.build_genesis,
    state=state,
    constants=(
        Constant(
            "MotionDuration",
            U32,
            lambda preset: preset.council_motion_blocks,
            "Blocks after which any motion may be closed.",
        ),
        Constant("MaxMembers", U32, constants.MAX_MEMBERS, "Council seats."),
    ),
)
"""Council's entry in the runtime table."""
