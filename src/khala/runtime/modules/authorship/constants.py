"""Authorship's constants."""

MODULE_INDEX = 2
"""Module index of Authorship."""
MODULE_NAME = "Authorship"
"""Storage prefix name."""
ENGINE_ID = b"khla"
"""The 4-byte consensus engine id of khala's pre-runtime and seal digests."""
