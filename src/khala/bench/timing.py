"""Throughput measurement that is fair between contenders on a noisy machine.

Contenders run in interleaved rounds (A, B, A, B, ...) so that frequency changes and
neighbours' load hit all of them alike; each reports its best round, the least disturbed one.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Throughput:
    """Best and median operations per second of one contender."""

    best_ops_per_s: float
    """The fastest round's rate."""
    median_ops_per_s: float
    """The median round's rate."""


def interleaved_throughput(
    contenders: dict[str, Callable[[], object]],
    *,
    rounds: int,
    round_seconds: float,
) -> dict[str, Throughput]:
    """Measure each callable's calls per second in interleaved rounds.

    Args:
        contenders: Name to a zero-argument operation.
        rounds: How many rounds each contender runs.
        round_seconds: Roughly how long one round of one contender lasts.
    """
    batch = {name: _calibrate(operation, round_seconds) for name, operation in contenders.items()}
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, operation in contenders.items():
            count = batch[name]
            start = time.perf_counter()
            for _ in range(count):
                operation()
            rates[name].append(count / (time.perf_counter() - start))
    return {
        name: Throughput(max(values), sorted(values)[len(values) // 2])
        for name, values in rates.items()
    }


def _calibrate(operation: Callable[[], object], round_seconds: float) -> int:
    """Return how many calls take about ``round_seconds``."""
    count = 1
    while True:
        start = time.perf_counter()
        for _ in range(count):
            operation()
        elapsed = time.perf_counter() - start
        if elapsed >= round_seconds / 10 or count >= 1 << 24:
            return max(1, int(count * round_seconds / max(elapsed, 1e-9)))
        count *= 4


def machine() -> dict[str, str | int]:
    """Describe the machine a benchmark ran on, for the results table."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count() or 0,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
