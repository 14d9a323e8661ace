"""Scheduler's calls (root only): schedule, move and cancel named tasks."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, ScaleEnum, variant
from khala.runtime.context import Context, ensure_governance
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.scheduler import state as st
from khala.runtime.modules.scheduler.constants import MAX_SCHEDULED_PER_BLOCK, SCHEDULE_WEIGHT
from khala.runtime.modules.scheduler.errors import SchedulerErrorCode, scheduler_error
from khala.runtime.modules.scheduler.events import Canceled
from khala.runtime.modules.scheduler.events import Scheduled as ScheduledEvent
from khala.runtime.modules.scheduler.types import (
    Scheduled,
    ScheduledCall,
    TaskAddress,
    task_name,
)
from khala.runtime.state import State
from khala.runtime.types import BlockNumber, DispatchClass, Pays


class Call(ScaleEnum):
    """A scheduler call."""


@variant(2)
@dataclass(frozen=True, slots=True)
class ScheduleNamed(Call):
    """Run ``call`` as root at block ``when`` under the task name ``id``."""

    id: H256
    """The task name, zero-padded to 32 bytes."""
    when: BlockNumber
    """The block to run it in (after the current one)."""
    call: ScheduledCall
    """The call."""


@variant(3)
@dataclass(frozen=True, slots=True)
class CancelNamed(Call):
    """Cancel the named task."""

    id: H256
    """The task name."""


@variant(10)
@dataclass(frozen=True, slots=True)
class RescheduleNamed(Call):
    """Move the named task to block ``when`` (delay or advance it)."""

    id: H256
    """The task name."""
    when: BlockNumber
    """Its new block (after the current one)."""


def _check_future(ctx: Context, when: int) -> None:
    if when <= ctx.env.number:
        raise scheduler_error(
            SchedulerErrorCode.TARGET_BLOCK_NUMBER_IN_PAST,
            f"block {when} is not after the current block {ctx.env.number}",
        )


def _place(state: State, when: int, task: Scheduled) -> TaskAddress:
    """Put a task into the first free slot of ``Agenda[when]``."""
    agenda = list(st.AGENDA.get(state, when))
    index = next((i for i, slot in enumerate(agenda) if slot is None), len(agenda))
    if index >= MAX_SCHEDULED_PER_BLOCK:
        raise scheduler_error(
            SchedulerErrorCode.FAILED_TO_SCHEDULE,
            f"block {when} already has {MAX_SCHEDULED_PER_BLOCK} tasks; pick another block",
        )
    if index == len(agenda):
        agenda.append(task)
    else:
        agenda[index] = task
    st.AGENDA.insert(state, when, agenda)
    return TaskAddress(when, index)


def _take(state: State, address: TaskAddress) -> Scheduled:
    """Remove a task from its agenda slot and return it."""
    agenda = list(st.AGENDA.get(state, address.when))
    task = agenda[address.index]
    if task is None:  # Lookup and Agenda always agree; a mismatch is corrupt state
        raise RuntimeError(f"agenda slot {address} is empty")
    agenda[address.index] = None
    while agenda and agenda[-1] is None:
        agenda.pop()
    if agenda:
        st.AGENDA.insert(state, address.when, agenda)
    else:
        st.AGENDA.remove(state, address.when)
    return task


def _find(state: State, task: bytes) -> TaskAddress:
    address = st.LOOKUP.get(state, task)
    if address is None:
        raise scheduler_error(
            SchedulerErrorCode.NOT_FOUND, f"no scheduled task is named {task_name(task)!r}"
        )
    return address


def schedule_named(state: State, ctx: Context, args: ScheduleNamed) -> None:
    """Schedule a named root call."""
    ensure_governance(ctx)
    _check_future(ctx, args.when)
    if st.LOOKUP.get(state, args.id) is not None:
        raise scheduler_error(
            SchedulerErrorCode.NAMED,
            f"a task named {task_name(args.id)!r} is already scheduled; reschedule or cancel it",
        )
    address = _place(state, args.when, Scheduled(args.id, args.call))
    st.LOOKUP.insert(state, args.id, address)
    ctx.emit(ScheduledEvent(address.when, address.index))


def cancel_named(state: State, ctx: Context, args: CancelNamed) -> None:
    """Cancel a named task."""
    ensure_governance(ctx)
    address = _find(state, args.id)
    _take(state, address)
    st.LOOKUP.remove(state, args.id)
    ctx.emit(Canceled(address.when, address.index))


def reschedule_named(state: State, ctx: Context, args: RescheduleNamed) -> None:
    """Move a named task to another block."""
    ensure_governance(ctx)
    _check_future(ctx, args.when)
    address = _find(state, args.id)
    if address.when == args.when:
        raise scheduler_error(
            SchedulerErrorCode.RESCHEDULE_NO_CHANGE,
            f"task {task_name(args.id)!r} is already scheduled at block {args.when}",
        )
    agenda = st.AGENDA.get(state, args.when)
    if sum(slot is not None for slot in agenda) >= MAX_SCHEDULED_PER_BLOCK:
        raise scheduler_error(
            SchedulerErrorCode.FAILED_TO_SCHEDULE,
            f"block {args.when} already has {MAX_SCHEDULED_PER_BLOCK} tasks; pick another block",
        )
    task = _take(state, address)
    moved = _place(state, args.when, task)
    st.LOOKUP.insert(state, args.id, moved)
    ctx.emit(Canceled(address.when, address.index))
    ctx.emit(ScheduledEvent(moved.when, moved.index))


CALLS: dict[type, CallSpec] = {
    ScheduleNamed: CallSpec(schedule_named, SCHEDULE_WEIGHT, DispatchClass.NORMAL, Pays.NO),
    CancelNamed: CallSpec(cancel_named, SCHEDULE_WEIGHT, DispatchClass.NORMAL, Pays.NO),
    RescheduleNamed: CallSpec(reschedule_named, SCHEDULE_WEIGHT, DispatchClass.NORMAL, Pays.NO),
}
"""Handlers of the scheduler's calls."""
