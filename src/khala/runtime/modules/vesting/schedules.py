"""Schedule arithmetic, as FRAME's ``VestingInfo`` and ``merge_vesting_info`` compute it."""

from __future__ import annotations

from khala.runtime.modules.vesting.types import VestingInfo


def per_block(schedule: VestingInfo) -> int:
    """PHA released per block (at least 1)."""
    return max(schedule.per_block, 1)


def is_valid(schedule: VestingInfo) -> bool:
    """A schedule locks something and releases something each block."""
    return schedule.locked > 0 and schedule.per_block > 0


def locked_at(schedule: VestingInfo, block: int) -> int:
    """What is still locked at ``block``."""
    vested = per_block(schedule) * max(block - schedule.starting_block, 0)
    return max(schedule.locked - vested, 0)


def ending_block(schedule: VestingInfo) -> int:
    """The first block at which nothing is locked any more."""
    rate = per_block(schedule)
    return schedule.starting_block + -(-schedule.locked // rate)


def merge(now: int, first: VestingInfo, second: VestingInfo) -> VestingInfo | None:
    """One schedule releasing what the two still lock, by the later of their ends.

    Starts now (or at the later start); None when both have ended.
    """
    first_end, second_end = ending_block(first), ending_block(second)
    if first_end <= now and second_end <= now:
        return None
    if first_end <= now:
        return second
    if second_end <= now:
        return first
    locked = locked_at(first, now) + locked_at(second, now)
    end = max(first_end, second_end)
    start = max(now, first.starting_block, second.starting_block)
    duration = max(end - start, 0)
    rate = max(locked // duration, 1) if duration else locked
    return VestingInfo(locked, rate, start)
