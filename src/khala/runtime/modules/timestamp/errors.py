"""Timestamp's errors."""

from __future__ import annotations

from enum import StrEnum

from khala.runtime.errors import DispatchError
from khala.runtime.modules.timestamp.constants import MODULE_INDEX


class TimestampError(StrEnum):
    """Timestamp error codes."""

    ALREADY_SET = "timestamp.already_set"
    """The time was set twice in one block."""
    TOO_EARLY = "timestamp.too_early"
    """The time is less than the previous block's plus the minimum period."""
    NOT_SET = "timestamp.not_set"
    """The block finished without the timestamp inherent."""


def timestamp_error(code: TimestampError, message: str) -> DispatchError:
    """Build a Timestamp dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
