"""Vesting calls: vest, vest_other, vested_transfer, merge_schedules (FRAME's)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32, ScaleEnum, variant
from khala.runtime.context import Context, ensure_signed, lookup
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.balances import currency
from khala.runtime.modules.vesting import state as st
from khala.runtime.modules.vesting.constants import (
    CALL_WEIGHT,
    MAX_SCHEDULES,
    MIN_VESTED_TRANSFER,
)
from khala.runtime.modules.vesting.errors import VestingErrorCode, vesting_error
from khala.runtime.modules.vesting.ledger import update_lock
from khala.runtime.modules.vesting.schedules import is_valid, merge
from khala.runtime.modules.vesting.types import VestingInfo
from khala.runtime.state import State
from khala.runtime.types import MultiAddress


class Call(ScaleEnum):
    """A vesting call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Vest(Call):
    """Unlock what has vested of your own schedules."""


@variant(1)
@dataclass(frozen=True, slots=True)
class VestOther(Call):
    """Unlock what has vested of ``target``'s schedules (anyone may)."""

    target: MultiAddress
    """Whose schedules."""


@variant(2)
@dataclass(frozen=True, slots=True)
class VestedTransfer(Call):
    """Transfer ``schedule.locked`` to ``target``, locked under ``schedule``."""

    target: MultiAddress
    """Receiver."""
    schedule: VestingInfo
    """How it vests (at least 1 PHA)."""


@variant(3)
@dataclass(frozen=True, slots=True)
class MergeSchedules(Call):
    """Merge two of your schedules into one ending with the later of them."""

    schedule1_index: U32
    """The first schedule's index."""
    schedule2_index: U32
    """The second schedule's index."""


def _vest(state: State, ctx: Context, args: Vest) -> None:
    who = ensure_signed(ctx)
    if not st.VESTING.get(state, who):
        raise vesting_error(VestingErrorCode.NOT_VESTING, "the account has no vesting schedule")
    update_lock(state, ctx, who)


def _vest_other(state: State, ctx: Context, args: VestOther) -> None:
    ensure_signed(ctx)
    target = lookup(args.target)
    if not st.VESTING.get(state, target):
        raise vesting_error(VestingErrorCode.NOT_VESTING, "the account has no vesting schedule")
    update_lock(state, ctx, target)


def _vested_transfer(state: State, ctx: Context, args: VestedTransfer) -> None:
    sender = ensure_signed(ctx)
    target = lookup(args.target)
    schedule = args.schedule
    if schedule.locked < MIN_VESTED_TRANSFER:
        raise vesting_error(VestingErrorCode.AMOUNT_LOW, "a vested transfer moves at least 1 PHA")
    if not is_valid(schedule):
        raise vesting_error(VestingErrorCode.INVALID_SCHEDULE_PARAMS, "per_block must be positive")
    schedules = st.VESTING.get(state, target)
    if len(schedules) >= MAX_SCHEDULES:
        raise vesting_error(
            VestingErrorCode.AT_MAX_VESTING_SCHEDULES,
            f"the receiver has {MAX_SCHEDULES} schedules already",
        )
    currency.transfer(state, ctx, sender, target, schedule.locked, keep_alive=False)
    st.VESTING.insert(state, target, [*schedules, schedule])
    update_lock(state, ctx, target)


def _merge(state: State, ctx: Context, args: MergeSchedules) -> None:
    who = ensure_signed(ctx)
    schedules = st.VESTING.get(state, who)
    first, second = args.schedule1_index, args.schedule2_index
    if max(first, second) >= len(schedules):
        raise vesting_error(
            VestingErrorCode.SCHEDULE_INDEX_OUT_OF_BOUNDS,
            f"the account has {len(schedules)} schedules (indices from 0)",
        )
    if first == second:
        return  # FRAME treats merging a schedule with itself as a no-op
    merged = merge(ctx.env.number, schedules[first], schedules[second])
    rest = [s for index, s in enumerate(schedules) if index not in (first, second)]
    st.VESTING.insert(state, who, rest + ([] if merged is None else [merged]))
    update_lock(state, ctx, who)


CALLS: dict[type, CallSpec] = {
    Vest: CallSpec(_vest, CALL_WEIGHT),
    VestOther: CallSpec(_vest_other, CALL_WEIGHT),
    VestedTransfer: CallSpec(_vested_transfer, CALL_WEIGHT),
    MergeSchedules: CallSpec(_merge, CALL_WEIGHT),
}
"""Handlers of vesting calls."""
