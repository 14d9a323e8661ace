"""System's block hooks: a fresh event list, the block's number and its parent's hash."""

from __future__ import annotations

from typing import Any

from khala.runtime.context import Context
from khala.runtime.modules.system import state as system_state
from khala.runtime.modules.system.constants import BLOCK_HASH_COUNT, SPEC_NAME
from khala.runtime.modules.system.types import LastRuntimeUpgradeInfo
from khala.runtime.presets import PRESET_KEY, PRESET_OVERRIDES_KEY, overrides_bytes
from khala.runtime.state import State


def on_initialize(state: State, ctx: Context) -> None:
    """Clear the last block's events; set Number and ParentHash; keep recent block hashes."""
    env = ctx.env
    system_state.reset_events(state)
    system_state.NUMBER.put(state, env.number)
    system_state.PARENT_HASH.put(state, env.parent_hash)
    system_state.BLOCK_HASH.insert(state, env.number - 1, env.parent_hash)
    expired = env.number - 1 - BLOCK_HASH_COUNT
    if expired > 0:  # FRAME keeps the genesis hash
        system_state.BLOCK_HASH.remove(state, expired)
    system_state.EXTRINSIC_COUNT.kill(state)


def build_genesis(state: State, config: Any) -> None:
    """Record the preset, its overrides and the runtime version genesis starts with.

    The preset goes under well-known keys so every node and worker agrees on it.
    """
    state.set(PRESET_KEY, config.preset.name.value.encode())
    if config.preset_overrides:
        state.set(PRESET_OVERRIDES_KEY, overrides_bytes(config.preset_overrides))
    system_state.LAST_RUNTIME_UPGRADE.put(
        state, LastRuntimeUpgradeInfo(config.spec_version, SPEC_NAME)
    )
