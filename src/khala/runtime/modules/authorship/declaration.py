"""Authorship's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.runtime.module import RuntimeModule
from khala.runtime.modules import authorship
from khala.runtime.modules.authorship import calls, constants, errors, events, hooks, state

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=authorship.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.AuthorshipCallErrorCode,
    on_initialize=hooks.on_initialize,
    build_genesis=hooks.build_genesis,
    state=state,
)
"""Authorship's entry in the runtime table."""
