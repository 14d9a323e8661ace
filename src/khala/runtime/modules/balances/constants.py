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
