"""Balances' constants."""

MODULE_INDEX = 40
"""Module index of Balances (as on Khala)."""
MODULE_NAME = "Balances"
"""Storage prefix name."""
EXISTENTIAL_DEPOSIT = 10**10
"""0.01 PHA: an account holding less is reaped, so dust cannot bloat state."""
TRANSFER_WEIGHT = 200_000_000
"""Weight (ps) of a transfer: two account reads and writes and an event."""
FORCE_WEIGHT = 150_000_000
"""Weight (ps) of root balance calls."""
VESTING_LOCK_ID = b"vesting "
"""Lock id of vesting schedules (FRAME's ``VESTING_ID``, 8 bytes)."""
STAKEABLE_LOCKS = frozenset({VESTING_LOCK_ID})
"""Locks whose funds may be delegated to stake pools (crowdloan rewards "can directly
participate in staking"). The lock stays on the account while the PHA is staked, so what comes
back from the pool is still locked until the schedule releases it: the lock follows the stake."""
