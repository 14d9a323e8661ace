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
HARD_DEADLINE = 63
"""Tasks of priority 0..63 run in their block even past the weight limit (FRAME's
``schedule::HARD_DEADLINE``); 64..255 wait for a block with room."""
MAXIMUM_WEIGHT_PERCENT = 80
"""Share of a block's weight limit the agenda may use (FRAME's runtimes give the scheduler
80 %), so scheduled work never crowds out every transaction."""
TASK_WEIGHT = 10_000_000
"""Weight (ps) of servicing one task besides its call (reading and rewriting the agenda)."""
