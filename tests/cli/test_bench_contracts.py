"""``khala bench contracts``: query rate, its cost piece by piece, and the machine's ceiling."""

from __future__ import annotations

from pathlib import Path

from khala.bench.contracts import run_contracts_benchmark
from khala.bench.query_floor import ceiling


def test_the_ceiling_spreads_every_cost_over_every_core() -> None:
    """1,000 µs of core time per query on 2 cores: 2,000 queries/s at best.

    400 µs of crypto, 100 µs of contract, an HTTP floor of 4,000/s (500 µs of core time per
    request on 2 cores).
    """
    assert ceiling(2, 400.0, 100.0, 4_000.0) == 2_000.0
    assert ceiling(1, 0.0, 0.0, 4_000.0) == 4_000.0


def test_a_small_run_reports_rates_costs_and_a_ceiling_above_the_rate(shared: Path) -> None:
    figures = run_contracts_benchmark(shared, queries=120, clients=2, commands=10)
    assert figures["answers_checked"] == 20 and figures["answer_failures"] == []
    costs = figures["query_cost_us"]
    assert set(costs) == {"open_us", "verify_us", "seal_us"} and min(costs.values()) > 0
    assert figures["http_floor_requests_per_s"] > figures["queries_per_s"] > 0
    assert figures["query_ceiling_per_s"] > figures["queries_per_s"]
