"""Scheduler's stored records and task names."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U32
from khala.runtime.modules.scheduler.constants import TASK_NAME_LENGTH
from khala.runtime.outer import RuntimeCall

ScheduledCall = RuntimeCall
"""A whole ``RuntimeCall`` kept in an agenda."""


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One agenda entry: a root call to dispatch, with its task name if it has one."""

    maybe_id: H256 | None
    """The task name (32 bytes), or None for an anonymous task."""
    call: ScheduledCall
    """The call, dispatched with the root origin."""


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
