"""Mq's block hooks: each block starts with no outbound messages."""

from __future__ import annotations

from khala.runtime.context import Context
from khala.runtime.modules.mq.state import OUTBOUND
from khala.runtime.state import State


def on_initialize(state: State, ctx: Context) -> None:
    """Clear the previous block's outbound messages."""
    del ctx
    OUTBOUND.kill(state)
