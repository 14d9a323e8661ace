"""The heartbeat challenge's arithmetic (DESIGN §6), shared by the chain and the gatekeepers.

``max_tx = N·per_hour/(3600/block_secs)``, ``target = min(expected_heartbeats, max_tx)``,
``online_target = (U256::MAX >> 24)·floor(target/N · 2^24)``, computed with exact fractions so
small networks are challenged at the intended rate rather than never. A worker is hit when
``blake2_256(pubkey) XOR seed ≤ online_target`` (both read as big-endian 256-bit integers).
"""

from __future__ import annotations

from fractions import Fraction

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


P_INSTANT_CAP_PERCENT = 120
"""A heartbeat's instant performance is capped at 120 % of the start score (as Phala), so a
worker cannot inflate its share by claiming a burst of iterations."""


def instant_performance(
    p_init: int, previous: int, last_iterations: int, last_time: int, iterations: int, time: int
) -> int:
    """Iterations per 6 s since the previous heartbeat, capped at 120 % of the start score.

    The first heartbeat of a session (``last_time`` 0) and one with no time elapsed keep the
    previous value (the start score at first). Integer division, as the chain computes it.
    """
    elapsed = time - last_time
    if last_time == 0 or elapsed <= 0:
        return previous
    measured = (iterations - last_iterations) * 6 // elapsed
    return min(measured, p_init * P_INSTANT_CAP_PERCENT // 100)
