"""Scheduler's dispatch errors (each with its declared on-chain index)."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.scheduler.constants import MODULE_INDEX


class SchedulerErrorCode(ModuleErrorCode):
    """Scheduler error codes."""

    FAILED_TO_SCHEDULE = "scheduler.failed_to_schedule", 0
    """The target block's agenda is full (50 tasks); pick another block."""
    NOT_FOUND = "scheduler.not_found", 1
    """No task has this name: it never existed, already ran or was cancelled."""
    TARGET_BLOCK_NUMBER_IN_PAST = "scheduler.target_block_number_in_past", 2
    """The target block is the current block or earlier; pick a later one."""
    RESCHEDULE_NO_CHANGE = "scheduler.reschedule_no_change", 3
    """The task is already scheduled at that block."""
    NAMED = "scheduler.named", 4
    """A task with this name is already scheduled; reschedule or cancel it instead."""
    BAD_TASK_NAME = "scheduler.bad_task_name", 5
    """Task names are 1 to 32 bytes of UTF-8."""


def scheduler_error(code: SchedulerErrorCode, message: str) -> DispatchError:
    """Build a scheduler dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
