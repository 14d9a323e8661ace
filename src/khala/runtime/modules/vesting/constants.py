"""Vesting constants."""

from khala.runtime.modules.balances.constants import VESTING_LOCK_ID

MODULE_INDEX = 13
"""Module index of vesting."""
MODULE_NAME = "Vesting"
"""Storage prefix name."""
LOCK_ID = VESTING_LOCK_ID
"""The balance lock holding unvested PHA (stakeable: see ``balances.STAKEABLE_LOCKS``)."""
MAX_SCHEDULES = 28
"""Schedules per account (FRAME's ``MaxVestingSchedules``): the lock is recomputed over all."""
MIN_VESTED_TRANSFER = 10**12
"""Smallest ``vested_transfer``: 1 PHA, so nobody fills another account's schedule slots
with dust."""
CROWDLOAN_LIQUID_PERCENT = 15
"""Crowdloan rewards released at genesis; the other 85 % vest linearly."""
CALL_WEIGHT = 100_000_000
"""Weight (ps) of a vesting call (the schedules, a lock update, maybe a transfer)."""
