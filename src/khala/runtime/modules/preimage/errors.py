"""Preimage dispatch errors (FRAME's names, declared on-chain indices)."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.preimage.constants import MODULE_INDEX


class PreimageErrorCode(ModuleErrorCode):
    """Preimage error codes."""

    TOO_BIG = "preimage.too_big", 0
    """The preimage is larger than 4 MiB."""
    ALREADY_NOTED = "preimage.already_noted", 1
    """These bytes are already noted (use their hash)."""
    NOT_AUTHORIZED = "preimage.not_authorized", 2
    """Only the account that noted a preimage may remove it."""
    NOT_NOTED = "preimage.not_noted", 3
    """No preimage has this hash."""


def preimage_error(code: PreimageErrorCode, message: str) -> DispatchError:
    """Build a preimage dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
