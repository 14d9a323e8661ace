"""State trie benchmark: full root, incremental update, proof verification.

Keys are random 32-byte strings with 64-byte values (layout V1, so every value is hashed into
its own node, the costlier case). The random generator is seeded, so every run builds the same
trie.
"""

from __future__ import annotations

import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from khala.bench.errors import BenchError, BenchErrorCode
from khala.bench.timing import machine
from khala.primitives.trie import (
    Layout,
    MemoryNodeStore,
    Trie,
    generate_proof,
    trie_root,
    verify_proof,
)

SEED = 0x6B68616C61
"""Seed of the key generator ("khala"), so runs are comparable."""
KEY_LENGTH = 32
"""Bytes per key: a hashed storage key's size."""
VALUE_LENGTH = 64
"""Bytes per value: above V1's 33-byte threshold, so values live in their own nodes."""


def _items(rng: random.Random, count: int) -> list[tuple[bytes, bytes]]:
    return [(rng.randbytes(KEY_LENGTH), rng.randbytes(VALUE_LENGTH)) for _ in range(count)]


def run_trie_benchmark(
    *,
    keys: int = 100_000,
    dirty: int = 1_000,
    rounds: int = 3,
    proofs: int = 2_000,
    report: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Measure the trie and return the figures.

    Args:
        keys: Keys in the trie.
        dirty: Keys changed per incremental round (half updated, half new).
        rounds: Repetitions of each timed step; the best is reported with the median beside it.
        proofs: Single-key proofs generated and verified.
        report: Receives progress lines.

    Raises:
        BenchError: ``bench.invalid_parameter`` for sizes that make no sense.
    """
    if keys < 2 or dirty < 2 or rounds < 1 or proofs < 1 or dirty > keys:
        raise BenchError(
            BenchErrorCode.INVALID_PARAMETER,
            "need keys >= 2, 2 <= dirty <= keys, rounds >= 1 and proofs >= 1",
        )
    rng = random.Random(SEED)  # noqa: S311 - reproducible benchmark data, not secrets
    items = _items(rng, keys)

    report(f"full root of {keys} keys, {rounds} rounds")
    full_times = []
    for _ in range(rounds):
        start = time.perf_counter()
        trie_root(items, Layout.V1)
        full_times.append(time.perf_counter() - start)
    tracemalloc.start()
    trie_root(items, Layout.V1)
    peak_bytes = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    report(f"incremental update of {dirty} keys in a {keys}-key trie, {rounds} rounds")
    store = MemoryNodeStore()
    trie = Trie.from_items(items, Layout.V1, store)
    trie.commit()
    per_key = []
    for _ in range(rounds):
        updates = [
            (items[rng.randrange(keys)][0], rng.randbytes(VALUE_LENGTH)) for _ in range(dirty // 2)
        ]
        updates += _items(rng, dirty - dirty // 2)
        start = time.perf_counter()
        for key, value in updates:
            trie.insert(key, value)
        trie.commit()
        per_key.append((time.perf_counter() - start) / dirty)

    report(f"{proofs} single-key read proofs")
    root = trie.root_hash()
    targets = [items[rng.randrange(keys)][0] for _ in range(proofs)]
    proof_sets = [generate_proof(trie, [key]) for key in targets]
    start = time.perf_counter()
    for key, proof in zip(targets, proof_sets, strict=True):
        if verify_proof(root, proof, [key])[key] is None:
            raise BenchError(BenchErrorCode.BASELINE_DISAGREES, "a proven key came back absent")
    verify_seconds = time.perf_counter() - start

    return {
        "keys": keys,
        "key_bytes": KEY_LENGTH,
        "value_bytes": VALUE_LENGTH,
        "layout": "v1",
        "full_root_100k_s" if keys == 100_000 else "full_root_s": round(min(full_times), 3),
        "full_root_median_s": round(statistics.median(full_times), 3),
        "full_root_peak_mb": round(peak_bytes / 1e6, 1),
        "incremental_keys": dirty,
        "incremental_us_per_key": round(min(per_key) * 1e6, 1),
        "incremental_median_us_per_key": round(statistics.median(per_key) * 1e6, 1),
        "proof_verifies_per_s": round(proofs / verify_seconds),
        "proof_mean_bytes": round(sum(map(len, (b"".join(p) for p in proof_sets))) / proofs),
        "rounds": rounds,
        "machine": machine(),
    }
