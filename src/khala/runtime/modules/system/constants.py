"""System's constants."""

MODULE_INDEX = 0
"""Call and event index of System (FRAME puts it first)."""
MODULE_NAME = "System"
"""Storage prefix name."""
BLOCK_HASH_COUNT = 2400
"""Block hashes kept for mortal-era checks: eras can span at most this many blocks."""
REMARK_WEIGHT = 10_000_000
"""Weight (ps) of ``remark``, plus its length fee."""
