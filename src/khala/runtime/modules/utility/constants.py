"""Utility constants."""

MODULE_INDEX = 3
"""Module index of utility (Khala's)."""
MODULE_NAME = "Utility"
"""Storage prefix name (utility stores nothing)."""
BATCH_WEIGHT = 10_000_000
"""Weight (ps) of a batch itself; each call's weight is added."""
MAX_CALLS = 1_000
"""Calls one batch may carry (FRAME's ``batched_calls_limit`` is larger; this keeps one
extrinsic's work bounded)."""
