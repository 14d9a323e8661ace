"""Utility dispatch errors (FRAME's, declared on-chain indices)."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.utility.constants import MODULE_INDEX


class UtilityErrorCode(ModuleErrorCode):
    """Utility error codes."""

    TOO_MANY_CALLS = "utility.too_many_calls", 0
    """A batch carries more than 1,000 calls; split it."""


def utility_error(code: UtilityErrorCode, message: str) -> DispatchError:
    """Build a utility dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
