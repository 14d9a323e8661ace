"""Timestamp's hooks: every block must have set its time."""

from __future__ import annotations

from khala.runtime.modules.timestamp.errors import TimestampError, timestamp_error
from khala.runtime.modules.timestamp.state import DID_UPDATE
from khala.runtime.state import State


def on_finalize(state: State) -> None:
    """Require that the inherent ran, then reset the flag for the next block.

    Raises:
        DispatchError: ``timestamp.not_set`` when the block has no timestamp inherent.
    """
    if not DID_UPDATE.get(state):
        raise timestamp_error(TimestampError.NOT_SET, "the block has no timestamp inherent")
    DID_UPDATE.kill(state)
