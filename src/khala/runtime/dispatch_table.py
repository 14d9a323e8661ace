"""How a module declares its calls' handlers and costs (no dependency on other modules)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    fee_exempt: Callable[[Any, Any], bool] | None = None
    """``fee_exempt(state, args)``: makes a particular call free once it is proved to deserve it
    (a gatekeeper message with a valid master-key signature and the next sequence); checked
    on the state the transaction is validated and applied on, after ``validate``."""
    validate: Callable[[Any, Any], None] | None = None
    """``validate(state, args)``: checks run before anything is written, also in the pool;
    raises ``InvalidTransactionError`` so a doomed transaction never costs a fee."""
    waits: Callable[[Any, Any], bool] | None = None
    """``waits(state, args)``: the call is valid but cannot apply yet (a message whose sequence
    is ahead of its sender's next): the pool keeps it, a block skips it
    (``invalid_transaction.future``) instead of including it to fail with a fee."""
    nested: Callable[[Any], Sequence[Any]] | None = None
    """``nested(args)``: the calls this call dispatches (a batch's items); their weights are
    added to :attr:`weight`, so a batch pays for everything it runs."""
