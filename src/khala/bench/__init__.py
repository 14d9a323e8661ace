"""Benchmarks behind ``khala bench`` and ``make bench``; figures go to docs/benchmarks.md.

Timings are wall-clock throughput, so they live here, outside the deterministic core.
"""
