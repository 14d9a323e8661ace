"""The vesting lock: what is still locked now, set as the ``vesting `` balance lock."""

from __future__ import annotations

from khala.runtime.context import Context
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.state import Reasons
from khala.runtime.modules.vesting import events as ev
from khala.runtime.modules.vesting import state as st
from khala.runtime.modules.vesting.constants import LOCK_ID
from khala.runtime.modules.vesting.schedules import locked_at
from khala.runtime.state import State


def locked_now(state: State, who: bytes, block: int) -> int:
    """PHA ``who``'s schedules still lock at ``block``."""
    return sum(locked_at(schedule, block) for schedule in st.VESTING.get(state, who))


def update_lock(state: State, ctx: Context, who: bytes) -> None:
    """Drop finished schedules and set the lock to what the rest still lock (or remove it)."""
    block = ctx.env.number
    remaining = [s for s in st.VESTING.get(state, who) if locked_at(s, block) > 0]
    total = sum(locked_at(s, block) for s in remaining)
    if remaining:
        st.VESTING.insert(state, who, remaining)
        currency.set_lock(state, LOCK_ID, who, total, Reasons.ALL)
        ctx.emit(ev.VestingUpdated(who, total))
    else:
        st.VESTING.remove(state, who)
        currency.remove_lock(state, LOCK_ID, who)
        ctx.emit(ev.VestingCompleted(who))
