"""Scheduler's hooks: run the block's agenda at the start of the block."""

from __future__ import annotations

from khala.runtime.context import Context, RootOrigin, run_nested
from khala.runtime.modules.scheduler import state as st
from khala.runtime.modules.scheduler.events import Dispatched
from khala.runtime.modules.scheduler.types import TaskAddress
from khala.runtime.state import State


def on_initialize(state: State, ctx: Context) -> int:
    """Dispatch every task scheduled for this block as root, in agenda order.

    Each task runs in its own storage layer: a failing task leaves nothing behind and does not
    stop the others; its error is recorded in its ``Dispatched`` event. Returns how many ran.
    """
    now = ctx.env.number
    agenda = st.AGENDA.get(state, now)
    if not agenda:
        return 0
    st.AGENDA.remove(state, now)
    root = ctx.with_origin(RootOrigin())
    ran = 0
    for index, task in enumerate(agenda):
        if task is None:
            continue
        if task.maybe_id is not None:
            st.LOOKUP.remove(state, task.maybe_id)
        result = run_nested(state, root, task.call)
        ctx.emit(Dispatched(TaskAddress(now, index), task.maybe_id, result))
        ran += 1
    return ran
