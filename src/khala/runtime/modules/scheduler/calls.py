"""Scheduler's calls (governance only): schedule, move and cancel tasks, named or not.

Variant indices and fields follow FRAME's ``pallet_scheduler`` (``schedule`` 0 to
``schedule_named_after`` 5); ``reschedule_named`` (10) is khala's, how the council delays the
fair-launch timer without cancelling and re-creating it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from khala.primitives.scale import H256, U8, ScaleEnum, variant
from khala.runtime.context import Context, ensure_governance
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.scheduler import agenda
from khala.runtime.modules.scheduler.constants import SCHEDULE_WEIGHT
from khala.runtime.modules.scheduler.types import Period, ScheduledCall, TaskAddress
from khala.runtime.state import State
from khala.runtime.types import BlockNumber, DispatchClass, Pays


class Call(ScaleEnum):
    """A scheduler call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Schedule(Call):
    """Run ``call`` as root at block ``when`` (an anonymous task)."""

    when: BlockNumber
    """The block to run it in (after the current one)."""
    maybe_periodic: Period | None
    """``(period, count)`` to run it ``count`` times, ``period`` blocks apart."""
    priority: U8
    """0 is the most urgent; 0..63 run even past the per-block weight limit."""
    call: ScheduledCall
    """The call."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Cancel(Call):
    """Cancel the task in slot ``index`` of block ``when``'s agenda."""

    when: BlockNumber
    """Its block."""
    index: BlockNumber
    """Its slot."""


@variant(2)
@dataclass(frozen=True, slots=True)
class ScheduleNamed(Call):
    """Run ``call`` as root at block ``when`` under the task name ``id``."""

    id: H256
    """The task name, zero-padded to 32 bytes."""
    when: BlockNumber
    """The block to run it in (after the current one)."""
    maybe_periodic: Period | None
    """``(period, count)`` to run it ``count`` times, ``period`` blocks apart."""
    priority: U8
    """0 is the most urgent; 0..63 run even past the per-block weight limit."""
    call: ScheduledCall
    """The call."""


@variant(3)
@dataclass(frozen=True, slots=True)
class CancelNamed(Call):
    """Cancel the named task."""

    id: H256
    """The task name."""


@variant(4)
@dataclass(frozen=True, slots=True)
class ScheduleAfter(Call):
    """Run ``call`` as root ``after`` blocks from now (at least one)."""

    after: BlockNumber
    """Blocks from the current one."""
    maybe_periodic: Period | None
    """``(period, count)`` to run it ``count`` times, ``period`` blocks apart."""
    priority: U8
    """0 is the most urgent."""
    call: ScheduledCall
    """The call."""


@variant(5)
@dataclass(frozen=True, slots=True)
class ScheduleNamedAfter(Call):
    """Run ``call`` as root ``after`` blocks from now under the task name ``id``."""

    id: H256
    """The task name."""
    after: BlockNumber
    """Blocks from the current one."""
    maybe_periodic: Period | None
    """``(period, count)`` to run it ``count`` times, ``period`` blocks apart."""
    priority: U8
    """0 is the most urgent."""
    call: ScheduledCall
    """The call."""


@variant(10)
@dataclass(frozen=True, slots=True)
class RescheduleNamed(Call):
    """Move the named task to block ``when`` (delay or advance it)."""

    id: H256
    """The task name."""
    when: BlockNumber
    """Its new block (after the current one)."""


def _schedule(state: State, ctx: Context, when: int, args: Any, maybe_id: bytes | None) -> None:
    """The governance check, then the agenda entry, shared by the four scheduling calls."""
    ensure_governance(ctx)
    agenda.schedule(
        state,
        ctx,
        when,
        args.call,
        maybe_id=maybe_id,
        priority=args.priority,
        maybe_periodic=args.maybe_periodic,
    )


def schedule(state: State, ctx: Context, args: Schedule) -> None:
    """Schedule an anonymous root call."""
    _schedule(state, ctx, args.when, args, None)


def cancel(state: State, ctx: Context, args: Cancel) -> None:
    """Cancel a task by its address."""
    ensure_governance(ctx)
    agenda.cancel(state, ctx, TaskAddress(args.when, args.index))


def schedule_named(state: State, ctx: Context, args: ScheduleNamed) -> None:
    """Schedule a named root call."""
    _schedule(state, ctx, args.when, args, args.id)


def cancel_named(state: State, ctx: Context, args: CancelNamed) -> None:
    """Cancel a named task."""
    ensure_governance(ctx)
    agenda.cancel_named(state, ctx, args.id)


def schedule_after(state: State, ctx: Context, args: ScheduleAfter) -> None:
    """Schedule an anonymous root call relative to the current block."""
    _schedule(state, ctx, ctx.env.number + max(args.after, 1), args, None)


def schedule_named_after(state: State, ctx: Context, args: ScheduleNamedAfter) -> None:
    """Schedule a named root call relative to the current block."""
    _schedule(state, ctx, ctx.env.number + max(args.after, 1), args, args.id)


def reschedule_named(state: State, ctx: Context, args: RescheduleNamed) -> None:
    """Move a named task to another block."""
    ensure_governance(ctx)
    agenda.reschedule_named(state, ctx, args.id, args.when)


def _governed(function: Callable[[State, Context, Any], None]) -> CallSpec:
    return CallSpec(function, SCHEDULE_WEIGHT, DispatchClass.NORMAL, Pays.NO)


CALLS: dict[type, CallSpec] = {
    Schedule: _governed(schedule),
    Cancel: _governed(cancel),
    ScheduleNamed: _governed(schedule_named),
    CancelNamed: _governed(cancel_named),
    ScheduleAfter: _governed(schedule_after),
    ScheduleNamedAfter: _governed(schedule_named_after),
    RescheduleNamed: _governed(reschedule_named),
}
"""Handlers of the scheduler's calls (free: only governance may make them)."""
