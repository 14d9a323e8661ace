"""Scheduler's hooks: service the due agendas at the start of each block, within a weight limit.

Every block runs the tasks of its own agenda and of any earlier agenda the weight limit left
unfinished (``IncompleteSince``), each agenda in priority order (0 first; equal priorities in
slot order). A task runs when its weight fits in what remains of the limit (80 % of the
block's), when its priority is at or below the hard deadline (63), or when nothing has run
yet in this block, so a single task heavier than the whole limit still makes progress instead
of blocking its agenda forever. A task that does not run stays in its slot for the next block.
"""

from __future__ import annotations

from dataclasses import replace

from khala.runtime.context import Context, RootOrigin, run_nested
from khala.runtime.errors import DispatchError
from khala.runtime.modules.scheduler import agenda as ag
from khala.runtime.modules.scheduler import state as st
from khala.runtime.modules.scheduler.constants import (
    HARD_DEADLINE,
    MAXIMUM_WEIGHT_PERCENT,
    TASK_WEIGHT,
)
from khala.runtime.modules.scheduler.events import Dispatched, PeriodicFailed
from khala.runtime.modules.scheduler.types import Scheduled, TaskAddress
from khala.runtime.state import State


def on_initialize(state: State, ctx: Context) -> int:
    """Run the due tasks as root; returns the weight used.

    Each task runs in its own storage layer: a failing task leaves nothing behind and does not
    stop the others; its error is recorded in its ``Dispatched`` event.
    """
    now = ctx.env.number
    limit = ctx.config.max_block_weight * MAXIMUM_WEIGHT_PERCENT // 100
    since = st.INCOMPLETE_SINCE.get(state)
    first = now if since is None else min(since, now)
    used = 0
    incomplete: int | None = None
    for when in range(first, now + 1):
        used, left = _service_agenda(state, ctx, when, used, limit)
        if left and incomplete is None:
            incomplete = when
    if incomplete is None:
        st.INCOMPLETE_SINCE.kill(state)
    else:
        st.INCOMPLETE_SINCE.put(state, incomplete)
    return used


def _service_agenda(
    state: State, ctx: Context, when: int, used: int, limit: int
) -> tuple[int, bool]:
    """Run what fits of ``Agenda[when]``; return the weight used so far and whether any is left."""
    agenda = st.AGENDA.get(state, when)
    if not agenda:
        return used, False
    root = ctx.with_origin(RootOrigin())
    due = sorted(
        ((task.priority, index, task) for index, task in enumerate(agenda) if task is not None),
        key=lambda entry: (entry[0], entry[1]),
    )
    left = False
    for _, index, task in due:
        weight = TASK_WEIGHT + ctx.weigh(task.call)
        fits = used + weight <= limit
        if not (fits or task.priority <= HARD_DEADLINE or used == 0):
            left = True
            continue
        address = TaskAddress(when, index)
        ag.take(state, address)
        result = run_nested(state, root, task.call)
        ctx.emit(Dispatched(address, task.maybe_id, result))
        used += weight
        if task.maybe_periodic is not None:
            period, runs_left = task.maybe_periodic
            _repeat(state, ctx, address, task, period, runs_left)
    return used, left


def _repeat(
    state: State, ctx: Context, ran: TaskAddress, task: Scheduled, period: int, runs_left: int
) -> None:
    """Place a periodic task's next run ``period`` blocks after this one."""
    following = (period, runs_left - 1) if runs_left > 1 else None
    try:
        ag.place(state, ctx.env.number + period, replace(task, maybe_periodic=following))
    except DispatchError:
        ctx.emit(PeriodicFailed(ran, task.maybe_id))
