"""Sudo has no block hooks; its genesis stores the key of the dev chain's root account."""

from __future__ import annotations

from typing import Any

from khala.runtime.modules.sudo.state import KEY
from khala.runtime.state import State


def build_genesis(state: State, config: Any) -> None:
    """Store the sudo key, if the genesis config names one."""
    if config.sudo is not None:
        KEY.put(state, config.sudo)
