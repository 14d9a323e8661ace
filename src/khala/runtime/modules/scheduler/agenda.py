"""Placing, finding and removing tasks: the scheduler's public functions.

Other modules (democracy enacting a referendum) schedule through :func:`schedule` and
:func:`cancel_named`; the scheduler's own calls are thin checks around the same functions.
"""

from __future__ import annotations

from khala.runtime.context import Context
from khala.runtime.modules.scheduler import state as st
from khala.runtime.modules.scheduler.constants import MAX_SCHEDULED_PER_BLOCK
from khala.runtime.modules.scheduler.errors import SchedulerErrorCode, scheduler_error
from khala.runtime.modules.scheduler.events import Canceled, Scheduled
from khala.runtime.modules.scheduler.types import Period, ScheduledCall, TaskAddress, task_name
from khala.runtime.modules.scheduler.types import Scheduled as Task
from khala.runtime.state import State


def periodic(maybe_periodic: Period | None) -> Period | None:
    """Normalise a ``(period, count)``: a count below 2 or a zero period is a one-off task.

    The stored count is what remains after the first run (FRAME stores ``count - 1``).
    """
    if maybe_periodic is None:
        return None
    period, count = maybe_periodic
    if count <= 1 or period == 0:
        return None
    return (period, count - 1)


def check_future(ctx: Context, when: int) -> None:
    """Refuse a target block that is not after the current one.

    Raises:
        DispatchError: ``scheduler.target_block_number_in_past``.
    """
    if when <= ctx.env.number:
        raise scheduler_error(
            SchedulerErrorCode.TARGET_BLOCK_NUMBER_IN_PAST,
            f"block {when} is not after the current block {ctx.env.number}",
        )


def place(state: State, when: int, task: Task) -> TaskAddress:
    """Put a task into the first free slot of ``Agenda[when]``.

    Raises:
        DispatchError: ``scheduler.failed_to_schedule`` when that agenda is full.
    """
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
    if task.maybe_id is not None:
        st.LOOKUP.insert(state, task.maybe_id, TaskAddress(when, index))
    return TaskAddress(when, index)


def take(state: State, address: TaskAddress) -> Task:
    """Remove a task from its agenda slot (and its name from the lookup) and return it.

    Raises:
        DispatchError: ``scheduler.not_found`` when the slot is empty.
    """
    agenda = list(st.AGENDA.get(state, address.when))
    task = agenda[address.index] if address.index < len(agenda) else None
    if task is None:
        raise scheduler_error(
            SchedulerErrorCode.NOT_FOUND,
            f"block {address.when} has no task at index {address.index}",
        )
    agenda[address.index] = None
    while agenda and agenda[-1] is None:
        agenda.pop()
    if agenda:
        st.AGENDA.insert(state, address.when, agenda)
    else:
        st.AGENDA.remove(state, address.when)
    if task.maybe_id is not None:
        st.LOOKUP.remove(state, task.maybe_id)
    return task


def find(state: State, task: bytes) -> TaskAddress:
    """Where the named task sits.

    Raises:
        DispatchError: ``scheduler.not_found``.
    """
    address = st.LOOKUP.get(state, task)
    if address is None:
        raise scheduler_error(
            SchedulerErrorCode.NOT_FOUND, f"no scheduled task is named {task_name(task)!r}"
        )
    return address


def schedule(
    state: State,
    ctx: Context,
    when: int,
    call: ScheduledCall,
    *,
    maybe_id: bytes | None = None,
    priority: int = 0,
    maybe_periodic: Period | None = None,
) -> TaskAddress:
    """Schedule ``call`` to run as root at block ``when``; emits ``Scheduled``.

    Raises:
        DispatchError: ``scheduler.target_block_number_in_past``, ``scheduler.named`` (the
            name is taken) or ``scheduler.failed_to_schedule`` (agenda full).
    """
    check_future(ctx, when)
    if maybe_id is not None and st.LOOKUP.get(state, maybe_id) is not None:
        raise scheduler_error(
            SchedulerErrorCode.NAMED,
            f"a task named {task_name(maybe_id)!r} is already scheduled; reschedule or cancel it",
        )
    address = place(state, when, Task(maybe_id, priority, call, periodic(maybe_periodic)))
    ctx.emit(Scheduled(address.when, address.index))
    return address


def cancel(state: State, ctx: Context, address: TaskAddress) -> None:
    """Cancel the task at ``address``; emits ``Canceled``.

    Raises:
        DispatchError: ``scheduler.not_found``.
    """
    take(state, address)
    ctx.emit(Canceled(address.when, address.index))


def cancel_named(state: State, ctx: Context, task: bytes) -> None:
    """Cancel the named task; emits ``Canceled``.

    Raises:
        DispatchError: ``scheduler.not_found``.
    """
    cancel(state, ctx, find(state, task))


def reschedule_named(state: State, ctx: Context, task: bytes, when: int) -> TaskAddress:
    """Move the named task to block ``when``; emits ``Canceled`` then ``Scheduled``.

    Raises:
        DispatchError: ``scheduler.not_found``, ``scheduler.target_block_number_in_past``,
            ``scheduler.reschedule_no_change`` or ``scheduler.failed_to_schedule``.
    """
    check_future(ctx, when)
    address = find(state, task)
    if address.when == when:
        raise scheduler_error(
            SchedulerErrorCode.RESCHEDULE_NO_CHANGE,
            f"task {task_name(task)!r} is already scheduled at block {when}",
        )
    agenda = st.AGENDA.get(state, when)
    if sum(slot is not None for slot in agenda) >= MAX_SCHEDULED_PER_BLOCK:
        raise scheduler_error(
            SchedulerErrorCode.FAILED_TO_SCHEDULE,
            f"block {when} already has {MAX_SCHEDULED_PER_BLOCK} tasks; pick another block",
        )
    moved = place(state, when, take(state, address))
    ctx.emit(Canceled(address.when, address.index))
    ctx.emit(Scheduled(moved.when, moved.index))
    return moved
