"""Heartbeat challenges (DESIGN §6): which computing workers a block's challenge hits.

The chain publishes ``HeartbeatChallenge{seed, online_target}`` every block; the arithmetic
(``online_target``, ``is_hit``) is the chain's own, from
:mod:`khala.runtime.modules.computation.challenge`, so both sides agree on who was hit.

Because ``online_target = f·(2^232 − 1)``, a hit needs the top 24 bits of ``hash XOR seed`` to be
below ``f`` (with an exact check in the boundary bucket). :class:`ChallengeIndex` buckets
workers by the top 24 bits of their hash, so finding a block's hits costs about ``f`` lookups
(≈ 2^24 · target/N) instead of one comparison per worker; when fewer buckets are occupied than
that (small networks), the occupied buckets are scanned instead.
"""

from __future__ import annotations

from khala.primitives.hashing import blake2_256
from khala.runtime.modules.computation.challenge import U256_MAX, is_hit, online_target

__all__ = ["U256_MAX", "ChallengeIndex", "is_hit", "online_target"]

_LOW_BITS = 232


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
