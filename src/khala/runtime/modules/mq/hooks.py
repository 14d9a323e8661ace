"""Mq's block hooks: each block starts with no outbound messages."""

from __future__ import annotations

from khala.runtime.modules.mq.state import OUTBOUND
from khala.runtime.state import State


def on_initialize(state: State) -> None:
    """Clear the previous block's outbound messages."""
    OUTBOUND.kill(state)
