"""How long ``khala devnet`` takes from the command to the first mining reward in its pool.

The benchmark runs the real command (``--fresh --json-status``, a throw-away directory) as a
user would, and reads its status lines: the time of the first line with the pool's workers
rewarded is the figure, with the times the intermediate milestones were first seen (node
answering, mining enabled, workers computing). Several rounds give the best and the median.
"""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from khala.bench.timing import machine

MILESTONES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "node_answering_s": lambda s: s.get("head") is not None,
    "mining_enabled_s": lambda s: bool(s.get("mining_enabled")),
    "first_pool_reward_s": lambda s: s.get("pool", {}).get("rewards", 0) > 0,
}
"""What is timed in each round, in the order it happens."""


def _round(workers: int, block_time_s: float, timeout_s: float) -> dict[str, float]:
    """One fresh devnet: seconds from the command to each milestone."""
    with tempfile.TemporaryDirectory(prefix="khala-devnet-bench-") as scratch:
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-m", "khala", "devnet", "--fresh", "--json-status", "--no-console",
             "--workers", str(workers), "--block-time", str(block_time_s),
             "--dir", str(Path(scratch) / "devnet")],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )  # fmt: skip
        seen: dict[str, float] = {}
        try:
            for line in process.stdout or ():
                if not line.startswith("{"):
                    continue
                status = json.loads(line)
                for name, reached in MILESTONES.items():
                    if name not in seen and reached(status):
                        seen[name] = round(time.monotonic() - started, 1)
                if len(seen) == len(MILESTONES) or time.monotonic() - started > timeout_s:
                    break
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
        return seen


def run_devnet_benchmark(
    *,
    workers: int,
    block_time_s: float,
    rounds: int,
    timeout_s: float,
    report: Callable[[str], None],
) -> dict[str, Any]:
    """Best and median seconds to each milestone over ``rounds`` fresh devnets."""
    results = []
    for index in range(rounds):
        report(f"devnet round {index + 1}/{rounds}: {workers} workers, {block_time_s}s blocks")
        results.append(_round(workers, block_time_s, timeout_s))
        report(f"  {results[-1]}")
    figures: dict[str, Any] = {"workers": workers, "block_time_s": block_time_s, "rounds": rounds}
    for name in MILESTONES:
        times = [r[name] for r in results if name in r]
        figures[f"{name}_best"] = min(times) if times else None
        figures[f"{name}_median"] = statistics.median(times) if times else None
        figures[f"{name}_reached"] = len(times)
    figures["machine"] = machine()
    return figures
