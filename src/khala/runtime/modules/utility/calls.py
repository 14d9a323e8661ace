"""Utility calls: batch, batch_all, force_batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from khala.primitives.scale import Err, ScaleEnum, variant
from khala.runtime.context import Context, run_nested, transaction
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.utility import events as ev
from khala.runtime.modules.utility.constants import BATCH_WEIGHT, MAX_CALLS
from khala.runtime.modules.utility.errors import UtilityErrorCode, utility_error
from khala.runtime.outer import RuntimeCall
from khala.runtime.state import State


class Call(ScaleEnum):
    """A utility call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Batch(Call):
    """Dispatch ``calls`` in order; stop at the first failure."""

    calls: list[RuntimeCall]
    """The calls, dispatched with the caller's origin."""


@variant(2)
@dataclass(frozen=True, slots=True)
class BatchAll(Call):
    """Dispatch ``calls`` in order, all or nothing."""

    calls: list[RuntimeCall]
    """The calls, dispatched with the caller's origin."""


@variant(4)
@dataclass(frozen=True, slots=True)
class ForceBatch(Call):
    """Dispatch every one of ``calls``, whatever the others do."""

    calls: list[RuntimeCall]
    """The calls, dispatched with the caller's origin."""


def _check(calls: Sequence[Any]) -> None:
    if len(calls) > MAX_CALLS:
        raise utility_error(
            UtilityErrorCode.TOO_MANY_CALLS, f"{len(calls)} calls; a batch carries {MAX_CALLS}"
        )


def batch(state: State, ctx: Context, args: Batch) -> None:
    """Run the calls until one fails (that one is rolled back, the earlier ones stay)."""
    _check(args.calls)
    for index, call in enumerate(args.calls):
        result = run_nested(state, ctx, call)
        if isinstance(result, Err):
            ctx.emit(ev.BatchInterrupted(index, result.error))
            return
        ctx.emit(ev.ItemCompleted())
    ctx.emit(ev.BatchCompleted())


def batch_all(state: State, ctx: Context, args: BatchAll) -> None:
    """Run every call in one transaction: the first failure fails the whole batch."""
    _check(args.calls)
    for call in args.calls:
        with transaction(state, ctx.events):
            ctx.dispatch(state, ctx, call)
        ctx.emit(ev.ItemCompleted())
    ctx.emit(ev.BatchCompleted())


def force_batch(state: State, ctx: Context, args: ForceBatch) -> None:
    """Run every call, each in its own transaction; failures are reported, not fatal."""
    _check(args.calls)
    failed = False
    for call in args.calls:
        result = run_nested(state, ctx, call)
        if isinstance(result, Err):
            failed = True
            ctx.emit(ev.ItemFailed(result.error))
        else:
            ctx.emit(ev.ItemCompleted())
    ctx.emit(ev.BatchCompletedWithErrors() if failed else ev.BatchCompleted())


def _items(args: Any) -> Sequence[Any]:
    calls: Sequence[Any] = args.calls
    return calls


CALLS: dict[type, CallSpec] = {
    Batch: CallSpec(batch, BATCH_WEIGHT, nested=_items),
    BatchAll: CallSpec(batch_all, BATCH_WEIGHT, nested=_items),
    ForceBatch: CallSpec(force_batch, BATCH_WEIGHT, nested=_items),
}
"""Handlers of utility calls (each weighs its calls too)."""
