"""Timestamp's constants."""

MODULE_INDEX = 1
"""Module index of Timestamp."""
MODULE_NAME = "Timestamp"
"""Storage prefix name."""
SET_WEIGHT = 5_000_000
"""Weight (ps) of the inherent."""
