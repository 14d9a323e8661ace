"""Sudo's dispatch errors."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.sudo.constants import MODULE_INDEX


class SudoErrorCode(ModuleErrorCode):
    """Sudo error codes."""

    REQUIRE_SUDO = "sudo.require_sudo", 0
    """The sender is not the sudo key."""


def sudo_error(code: SudoErrorCode, message: str) -> DispatchError:
    """Build a Sudo dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
