"""Sudo's dispatch errors."""

from __future__ import annotations

from enum import StrEnum

from khala.runtime.errors import DispatchError
from khala.runtime.modules.sudo.constants import MODULE_INDEX


class SudoError(StrEnum):
    """Sudo error codes."""

    REQUIRE_SUDO = "sudo.require_sudo"
    """The sender is not the sudo key."""


def sudo_error(code: SudoError, message: str) -> DispatchError:
    """Build a Sudo dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
