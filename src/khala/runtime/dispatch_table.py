"""How a module declares its calls' handlers and costs (no dependency on other modules)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from khala.runtime.types import DispatchClass, Pays


@dataclass(frozen=True, slots=True)
class CallSpec:
    """A call's handler and its static dispatch properties."""

    function: Callable[[Any, Any, Any], None]
    """``function(state, ctx, args)``: validates, writes, emits."""
    weight: int
    """Weight in picoseconds of reference time, charged through the fee."""
    dispatch_class: DispatchClass = DispatchClass.NORMAL
    """Normal, operational or mandatory."""
    pays: Pays = Pays.YES
    """Whether the sender pays a fee."""
