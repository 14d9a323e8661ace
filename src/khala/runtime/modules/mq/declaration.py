"""Mq's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.runtime.module import RuntimeModule
from khala.runtime.modules import mq
from khala.runtime.modules.mq import calls, constants, errors, events, hooks, state, topics

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=mq.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.MqErrorCode,
    on_initialize=hooks.on_initialize,
    state=state,
    topics=topics.TOPICS,
)
"""Mq's entry in the runtime table."""
