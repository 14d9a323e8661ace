"""System's constants."""

MODULE_INDEX = 0
"""Call and event index of System (FRAME puts it first)."""
MODULE_NAME = "System"
"""Storage prefix name."""
BLOCK_HASH_COUNT = 2400
"""Block hashes kept for mortal-era checks: eras can span at most this many blocks."""
REMARK_WEIGHT = 10_000_000
"""Weight (ps) of ``remark``, plus its length fee."""
UPGRADE_WEIGHT = 100_000_000
"""Weight (ps) of authorizing a runtime upgrade (the migrations run in the switching block)."""
SPEC_NAME = "khala"
"""The only spec name a runtime upgrade may carry: an upgrade to another chain's runtime is
refused."""
