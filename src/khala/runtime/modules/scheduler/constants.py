"""Scheduler's constants."""

MODULE_INDEX = 7
"""Module index of the scheduler (its position among Khala's governance pallets)."""
MODULE_NAME = "Scheduler"
"""Storage prefix name."""
MAX_SCHEDULED_PER_BLOCK = 50
"""Tasks one block's agenda may hold (FRAME's default ``MaxScheduledPerBlock``), which bounds
the work ``on_initialize`` does before any extrinsic."""
SCHEDULE_WEIGHT = 50_000_000
"""Weight (ps) of scheduling, moving or cancelling a task (a few storage writes)."""
TASK_NAME_LENGTH = 32
"""Task names are FRAME's ``TaskName = [u8; 32]``."""
