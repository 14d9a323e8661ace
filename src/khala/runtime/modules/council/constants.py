"""Council constants."""

MODULE_INDEX = 17
"""Module index of the council."""
MODULE_NAME = "Council"
"""Storage prefix name."""
MAX_MEMBERS = 100
"""Council seats (FRAME's ``MaxMembers`` bound)."""
MAX_PROPOSALS = 100
"""Open motions at once."""
CALL_WEIGHT = 200_000_000
"""Weight (ps) of a council call (without the weight of a motion's own call)."""
