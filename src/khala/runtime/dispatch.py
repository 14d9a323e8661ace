"""Calls and their handlers through the default runtime table, for the node, SDK and tools.

A call is a variant of some module's ``Call`` family (``TransferKeepAlive(...)``); encoded, it
is a ``RuntimeCall`` (:mod:`khala.runtime.outer`): module index, call index, arguments, as FRAME
encodes it. The table (:mod:`khala.runtime.table`) maps each call variant to its handler and
says which modules a preset's chain has (sudo is refused as an unknown call outside dev).
"""

from __future__ import annotations

from typing import Any

from khala.runtime.outer import RuntimeCall

__all__ = ["RuntimeCall", "module_error_code"]


def _table() -> Any:
    from khala.runtime.table import RUNTIME  # noqa: PLC0415 - the table imports every module

    return RUNTIME


def module_error_code(module_index: int, error_index: int) -> str:
    """Return the documented code of a module error, e.g. ``balances.insufficient_balance``."""
    code: str = _table().error_code(module_index, error_index)
    return code
