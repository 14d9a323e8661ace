"""Phat contracts' declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.primitives.scale import U32
from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import phat
from khala.runtime.modules.phat import calls, constants, errors, events, messages, state, topics

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=phat.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.PhatErrorCode,
    state=state,
    constants=(
        Constant("InkCodeSizeLimit", U32, constants.MAX_CODE_SIZE, "Largest uploaded wasm."),
        Constant("MaxCommandSize", U32, constants.MAX_COMMAND_SIZE, "Largest encrypted command."),
    ),
    topics=topics.TOPICS,
    routes={
        topics.CLUSTER_KEY.name: messages.on_cluster_key,
        topics.CONTRACT_KEY.name: messages.on_contract_key,
        topics.INSTANTIATED.name: messages.on_instantiated,
        topics.CONTRACT_EVENT.name: messages.on_contract_event,
    },
)
"""Phat contracts' entry in the runtime table."""
