"""Computation's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.runtime.module import RuntimeModule
from khala.runtime.modules import computation
from khala.runtime.modules.computation import (
    calls,
    constants,
    errors,
    events,
    hooks,
    messages,
    state,
    topics,
)

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=computation.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.ComputationErrorCode,
    on_finalize=hooks.on_finalize,
    build_genesis=hooks.build_genesis,
    storage_version=hooks.STORAGE_VERSION,
    on_runtime_upgrade=hooks.on_runtime_upgrade,
    state=state,
    topics=topics.TOPICS,
    announces=(constants.REWARDED, constants.RECLAIMED),
    routes={
        topics.HEARTBEAT.name: messages.on_heartbeat,
        topics.SETTLE.name: messages.on_settlement,
    },
)
"""Computation's entry in the runtime table."""
