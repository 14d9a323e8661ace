"""System's block hooks: a fresh event list, the block's number and its parent's hash."""

from __future__ import annotations

from typing import Any

from khala.runtime.context import Context
from khala.runtime.modules.system import state as system_state
from khala.runtime.modules.system.constants import BLOCK_HASH_COUNT
from khala.runtime.presets import PRESET_KEY
from khala.runtime.state import State


def on_initialize(state: State, ctx: Context) -> None:
    """Clear the last block's events; set Number and ParentHash; keep recent block hashes."""
    env = ctx.env
    system_state.reset_events(state)
    system_state.NUMBER.put(state, env.number)
    system_state.PARENT_HASH.put(state, env.parent_hash)
    system_state.BLOCK_HASH.insert(state, env.number - 1, env.parent_hash)
    expired = env.number - 1 - BLOCK_HASH_COUNT
    if expired >= 0:
        system_state.BLOCK_HASH.remove(state, expired)
    system_state.EXTRINSIC_COUNT.kill(state)


def build_genesis(state: State, config: Any) -> None:
    """Record the chain's preset under its well-known key, so every node and worker agrees."""
    state.set(PRESET_KEY, config.preset.name.value.encode())
