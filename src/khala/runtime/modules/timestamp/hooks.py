"""Timestamp's hooks: every block must have set its time."""

from __future__ import annotations

from khala.runtime.context import Context
from khala.runtime.modules.timestamp.errors import TimestampErrorCode, timestamp_error
from khala.runtime.modules.timestamp.state import DID_UPDATE
from khala.runtime.state import State


def on_finalize(state: State, ctx: Context) -> None:
    """Require that the inherent ran, then reset the flag for the next block.

    Raises:
        DispatchError: ``timestamp.not_set`` when the block has no timestamp inherent.
    """
    del ctx
    if not DID_UPDATE.get(state):
        raise timestamp_error(TimestampErrorCode.NOT_SET, "the block has no timestamp inherent")
    DID_UPDATE.kill(state)
