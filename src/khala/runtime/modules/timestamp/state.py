"""Timestamp's storage."""

from __future__ import annotations

from khala.runtime.modules.timestamp.constants import MODULE_NAME
from khala.runtime.state import State
from khala.runtime.storage import StorageValue
from khala.runtime.types import Moment

NOW: StorageValue[int] = StorageValue(MODULE_NAME, "Now", Moment, 0)
"""Timestamp.Now: the current block's time in ms."""
DID_UPDATE: StorageValue[bool] = StorageValue(MODULE_NAME, "DidUpdate", bool, False)
"""Timestamp.DidUpdate: whether this block set the time (required by on_finalize)."""


def now(state: State) -> int:
    """Return the current block's time in milliseconds."""
    return NOW.get(state)
