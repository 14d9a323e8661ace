"""Timestamp's errors."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.timestamp.constants import MODULE_INDEX


class TimestampErrorCode(ModuleErrorCode):
    """Timestamp error codes."""

    ALREADY_SET = "timestamp.already_set", 0
    """The time was set twice in one block."""
    TOO_EARLY = "timestamp.too_early", 1
    """The time is less than the previous block's plus the minimum period."""
    NOT_SET = "timestamp.not_set", 2
    """The block finished without the timestamp inherent."""


def timestamp_error(code: TimestampErrorCode, message: str) -> DispatchError:
    """Build a Timestamp dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
