"""The heartbeat challenge's arithmetic (DESIGN §6), shared by the chain and the gatekeepers.

``max_tx = N·per_hour/(3600/block_secs)``, ``target = min(expected_heartbeats, max_tx)``,
``online_target = (U256::MAX >> 24)·floor(target/N · 2^24)``, computed with exact fractions so
small networks are challenged at the intended rate rather than never. A worker is hit when
``blake2_256(pubkey) XOR seed ≤ online_target`` (both read as big-endian 256-bit integers).
"""

from __future__ import annotations

from fractions import Fraction

from khala.primitives.fixed_point import FRACTION_BITS, U64F64
from khala.primitives.hashing import blake2_256

CHALLENGE_DOMAIN = b"khala/heartbeat-challenge"
"""Domain of the per-block challenge seed."""

U256_MAX = (1 << 256) - 1
"""The largest 256-bit value."""


def online_target(
    workers: int, block_secs: int, expected_heartbeats: int, per_hour: int = 2
) -> int:
    """The online target of a block with ``workers`` computing workers."""
    if workers == 0:
        return 0
    max_tx = Fraction(workers * per_hour * block_secs, 3600)
    target = min(Fraction(expected_heartbeats), max_tx)
    fraction = min(target / workers, Fraction(1))
    return (U256_MAX >> 24) * int(fraction * (1 << 24))


def is_hit(pubkey_hash: int, seed: int, target: int) -> bool:
    """The definition: ``hash XOR seed ≤ online_target``."""
    return pubkey_hash ^ seed <= target


def challenge_seed(parent_hash: bytes, number: int) -> int:
    """Block ``number``'s seed: ``blake2_256(domain ++ parent_hash ++ number as u32 LE)``.

    The parent hash is the chain's randomness here: unknown until the parent is sealed, and
    a block author who grinds it only changes which workers answer, not what they earn.
    """
    return int.from_bytes(
        blake2_256(CHALLENGE_DOMAIN + parent_hash + number.to_bytes(4, "little")), "big"
    )


P_INSTANT_CAP = U64F64.from_decimal("1.2")
"""A heartbeat's instant performance is capped at 1.2 × the start score (Phala's
``p_bench * fp!(1.2)``), so a worker cannot inflate its share by claiming a burst of
iterations."""
SCORE_PERIOD_MS = 6_000
"""Performance counts iterations per 6 s, the unit of the benchmark score."""


def instant_performance(
    p_bench: U64F64,
    previous: U64F64,
    last_iterations: int,
    last_time_ms: int,
    iterations: int,
    now_ms: int,
) -> U64F64:
    """Iterations per 6 s since the last heartbeat, in U64F64, as Phala's ``update_p_instant``.

    ``now_ms`` is the time of the block the heartbeat landed in and ``last_time_ms`` the
    challenge time of the previous heartbeat (the session's start time before the first).
    With no time elapsed the previous value stays; a count below the last one (a restarted
    counter) measures from zero. ``dt = (now − last)/1000`` and ``(Δiterations / dt)·6`` are
    each truncated like the ``fixed`` crate's ``/``; the product is capped at
    ``p_bench · 1.2``. Computed on raw bits, so an absurd count saturates at the cap instead
    of overflowing.
    """
    if now_ms <= last_time_ms:
        return previous
    last_iterations = min(last_iterations, iterations)
    dt_bits = ((now_ms - last_time_ms) << FRACTION_BITS) // 1000
    done = iterations - last_iterations
    measured = ((done << (2 * FRACTION_BITS)) // dt_bits) * (SCORE_PERIOD_MS // 1000)
    return U64F64(min(measured, (p_bench * P_INSTANT_CAP).bits))
