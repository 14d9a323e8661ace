"""Authorship's constants."""

MODULE_INDEX = 2
"""Module index of Authorship."""
MODULE_NAME = "Authorship"
"""Storage prefix name."""
ENGINE_ID = b"khla"
"""The 4-byte consensus engine id of khala's pre-runtime and seal digests."""
MAX_AUTHORITIES = 32
"""Largest authority set: every node checks every vote of every block, and a justification
carries one signature per signer (GRANDPA deployments run with tens to a few hundred)."""
SCHEDULE_WEIGHT = 50_000_000
"""Weight (ps) of ``schedule_change``: a bounded set written once."""
