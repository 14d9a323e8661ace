"""Errors of the benchmark harness."""

from __future__ import annotations

from enum import StrEnum

from khala.errors import KhalaError


class BenchErrorCode(StrEnum):
    """Codes of :class:`BenchError`."""

    MISSING_BASELINE = "bench.missing_baseline"
    """The baseline library a benchmark compares against is not installed."""
    INVALID_PARAMETER = "bench.invalid_parameter"
    """A benchmark size or round count is out of its useful range."""
    BASELINE_DISAGREES = "bench.baseline_disagrees"
    """Ours and the baseline produced different bytes, so comparing speed would be meaningless."""


class BenchError(KhalaError):
    """A benchmark could not run as asked."""
