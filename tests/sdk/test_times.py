"""Times and ratios as people read them."""

from __future__ import annotations

from khala.primitives.fixed_point import U64F64
from khala.runtime.modules.computation.tokenomics import GEMINI
from khala.sdk.times import iso, relative, when


def test_iso_and_relative_times() -> None:
    """UTC ISO-8601, and the largest sensible unit either way."""
    assert iso(0) == "1970-01-01T00:00:00Z"
    assert relative(100 + 180, 100) == "in 3 min"
    assert relative(100, 100 + 7200) == "2 h ago"
    assert relative(100 + 25, 100) == "in 25 s"
    assert when(60, 0) == "1970-01-01T00:01:00Z (in 1 min)"


def test_ratios_display_rounded_not_truncated() -> None:
    """Gemini's treasury ratio is 0.2, though its nearest U64F64 truncates to 0.199999."""
    assert GEMINI.treasury_ratio.to_decimal(6) == "0.199999"
    assert GEMINI.treasury_ratio.to_display(6) == "0.2"
    assert U64F64.from_int(30000).to_display(0) == "30000"
