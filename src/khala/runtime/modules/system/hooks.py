"""System's block hooks: record the block's number and its parent's hash."""

from __future__ import annotations

from khala.runtime.context import BlockEnv
from khala.runtime.modules.system import state as system_state
from khala.runtime.modules.system.constants import BLOCK_HASH_COUNT
from khala.runtime.state import State


def on_initialize(state: State, env: BlockEnv) -> None:
    """Set Number and ParentHash, remember the parent's hash, forget hashes past the window."""
    system_state.NUMBER.put(state, env.number)
    system_state.PARENT_HASH.put(state, env.parent_hash)
    system_state.BLOCK_HASH.insert(state, env.number - 1, env.parent_hash)
    expired = env.number - 1 - BLOCK_HASH_COUNT
    if expired >= 0:
        system_state.BLOCK_HASH.remove(state, expired)
    system_state.EXTRINSIC_COUNT.kill(state)


def on_finalize(state: State, env: BlockEnv, extrinsic_count: int) -> None:
    """Record how many extrinsics the block had."""
    del env
    system_state.EXTRINSIC_COUNT.put(state, extrinsic_count)
