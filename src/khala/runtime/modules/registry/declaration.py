"""Registry's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.runtime.module import RuntimeModule
from khala.runtime.modules import registry
from khala.runtime.modules.registry import (
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
    docs=registry.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.RegistryErrorCode,
    build_genesis=hooks.build_genesis,
    state=state,
    topics=topics.TOPICS,
    routes={
        topics.BENCH_REPORT.name: messages.on_bench_report,
        topics.MASTER_PUBKEY.name: messages.on_master_pubkey,
    },
)
"""Registry's entry in the runtime table."""
