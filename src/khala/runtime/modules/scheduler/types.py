"""Scheduler's stored records and task names."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U8, U32
from khala.runtime.modules.scheduler.constants import TASK_NAME_LENGTH
from khala.runtime.outer import RuntimeCall

ScheduledCall = RuntimeCall
"""A whole ``RuntimeCall`` kept in an agenda."""

Period = tuple[U32, U32]
"""``(period, count)``: run ``count`` times in all, ``period`` blocks apart (FRAME's
``schedule::Period``)."""


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One agenda entry (FRAME's ``Scheduled`` without the origin: tasks always run as root)."""

    maybe_id: H256 | None
    """The task name (32 bytes), or None for an anonymous task."""
    priority: U8
    """0 is the most urgent; tasks run in priority order and those at or below
    :data:`~khala.runtime.modules.scheduler.constants.HARD_DEADLINE` ignore the weight limit."""
    call: ScheduledCall
    """The call, dispatched with the root origin."""
    maybe_periodic: Period | None
    """For a periodic task: ``(period, runs left after this one)``; None for a one-off."""


@dataclass(frozen=True, slots=True)
class TaskAddress:
    """Where a task sits: its block and its index in that block's agenda."""

    when: U32
    """The block it runs in."""
    index: U32
    """Its slot in ``Agenda[when]``."""


def task_id(name: str) -> bytes | None:
    """The on-chain 32-byte id of a task name, or None when the name is empty or too long."""
    raw = name.encode()
    if not raw or len(raw) > TASK_NAME_LENGTH:
        return None
    return raw.ljust(TASK_NAME_LENGTH, b"\0")


def task_name(task: bytes) -> str:
    """The readable name of a task id (zero padding removed; hex when not UTF-8)."""
    try:
        return task.rstrip(b"\0").decode()
    except UnicodeDecodeError:
        return "0x" + task.hex()
