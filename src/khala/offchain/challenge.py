"""Heartbeat challenges (DESIGN §6): which computing workers a block's challenge hits.

Each block the chain publishes ``HeartbeatChallenge{seed, online_target}`` with
``max_tx = N·per_hour/(3600/block_secs)`` (``per_hour`` = 2 on khala: at most two heartbeats per
worker per hour), ``target = min(expected_heartbeats, max_tx)`` and
``online_target = (U256::MAX >> 24)·floor(target/N · 2^24)``, computed with exact fractions so
small networks are challenged at the intended rate rather than never. A worker is hit when
``blake2_256(pubkey) XOR seed ≤ online_target``.

Because ``online_target = f·(2^232 − 1)``, a hit needs the top 24 bits of ``hash XOR seed`` to be
below ``f`` (with an exact check in the boundary bucket). :class:`ChallengeIndex` buckets
workers by the top 24 bits of their hash, so finding a block's hits costs about ``f`` lookups
(≈ 2^24 · target/N) instead of one comparison per worker; when fewer buckets are occupied than
that (small networks), the occupied buckets are scanned instead.
"""

from __future__ import annotations

from fractions import Fraction

from khala.primitives.hashing import blake2_256

U256_MAX = (1 << 256) - 1
"""The largest 256-bit value."""
_LOW_BITS = 232


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


class ChallengeIndex:
    """Computing workers bucketed by the top 24 bits of ``blake2_256(pubkey)``."""

    def __init__(self) -> None:
        """Start empty."""
        self.hashes: dict[bytes, int] = {}
        self._buckets: dict[int, set[bytes]] = {}

    def add(self, pubkey: bytes) -> None:
        """Index a worker."""
        value = int.from_bytes(blake2_256(pubkey), "big")
        self.hashes[pubkey] = value
        self._buckets.setdefault(value >> _LOW_BITS, set()).add(pubkey)

    def remove(self, pubkey: bytes) -> None:
        """Stop indexing a worker."""
        value = self.hashes.pop(pubkey, None)
        if value is not None:
            bucket = self._buckets[value >> _LOW_BITS]
            bucket.discard(pubkey)
            if not bucket:
                del self._buckets[value >> _LOW_BITS]

    def hits(self, seed: int, target: int) -> list[bytes]:
        """Every indexed worker the challenge (seed, target) hits."""
        limit = target >> _LOW_BITS  # top 24 bits of the target
        seed_top = seed >> _LOW_BITS
        found: list[bytes] = []
        if limit + 1 > len(self._buckets):
            # Fewer occupied buckets than candidate ones (small networks): scan the buckets.
            for key, members in self._buckets.items():
                if key ^ seed_top <= limit:
                    found.extend(p for p in members if is_hit(self.hashes[p], seed, target))
            return found
        for top in range(limit + 1):
            bucket = self._buckets.get(top ^ seed_top)
            if not bucket:
                continue
            for pubkey in bucket:
                if top < limit or is_hit(self.hashes[pubkey], seed, target):
                    found.append(pubkey)
        return found

    def __len__(self) -> int:
        """How many workers are indexed."""
        return len(self.hashes)
