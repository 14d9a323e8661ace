"""An in-memory :class:`~khala.contracts.pink.PinkBackend` for tests and tools.

HTTP answers come from a function the caller supplies (by default every request fails with
``NetworkError``), the clock and randomness are fixed or seeded, the cache is a dictionary
with a per-contract byte quota, and logs are kept in a list. Contract keys are derived from
a seed the same way a worker derives them from its cluster key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from khala.contracts.pink import HttpFailure, HttpRequest, HttpRequestError, HttpResponse
from khala.primitives.crypto.keys import KeyScheme, keypair_from_seed

CACHE_QUOTA_BYTES = 1024 * 1024
"""Bytes of cache one contract may hold (keys plus values)."""


def cache_write(
    cache: dict[tuple[bytes, bytes], bytes],
    contract: bytes,
    key: bytes,
    value: bytes | None,
    quota: int,
) -> bool:
    """Pink's ``cache_set``/``cache_remove`` on a dict by (contract, key).

    Returns False, writing nothing, when the contract's keys and values would exceed ``quota``.
    """
    if value is None:
        cache.pop((contract, key), None)
        return True
    used = sum(len(k) + len(v) for (c, k), v in cache.items() if c == contract)
    previous = cache.get((contract, key))
    grown = len(key) + len(value) - (0 if previous is None else len(key) + len(previous))
    if used + grown > quota:
        return False
    cache[(contract, key)] = value
    return True


def _refuse(request: HttpRequest, timeout_s: float) -> HttpResponse:
    raise HttpFailure(HttpRequestError.NETWORK_ERROR, f"no network in memory: {request.url}")


class MemoryPinkBackend:
    """Pink's outside world, in memory."""

    def __init__(
        self,
        *,
        http: Callable[[HttpRequest, float], HttpResponse] = _refuse,
        key_seed: bytes = bytes(32),
        now_ms: int = 0,
        worker_pubkey: bytes = bytes(32),
    ) -> None:
        """Create the backend; ``key_seed`` stands in for the cluster key."""
        self.http = http
        """Answers HTTP requests."""
        self.key_seed = key_seed
        """Seed contract keys are derived from."""
        self.clock_ms = now_ms
        """What ``now_ms`` answers."""
        self.pubkey = worker_pubkey
        """What ``worker_pubkey`` answers."""
        self.cache: dict[tuple[bytes, bytes], bytes] = {}
        """The cache by (contract, key)."""
        self.logs: list[tuple[bytes, int, str]] = []
        """Logged (contract, level, message) lines."""
        self._counter = 0

    def http_request(self, request: HttpRequest, timeout_s: float) -> HttpResponse:
        """Answer with the supplied function."""
        return self.http(request, timeout_s)

    def contract_secret(self, contract: bytes) -> bytes:
        """A contract's sr25519 secret from the seed and its address."""
        seed = hashlib.blake2b(self.key_seed + contract, digest_size=32).digest()
        return keypair_from_seed(KeyScheme.SR25519, seed).secret

    def cache_get(self, contract: bytes, key: bytes) -> bytes | None:
        """Read the cache."""
        return self.cache.get((contract, key))

    def cache_set(self, contract: bytes, key: bytes, value: bytes | None) -> bool:
        """Write or remove; refuse beyond the contract's quota."""
        return cache_write(self.cache, contract, key, value, CACHE_QUOTA_BYTES)

    def log(self, contract: bytes, level: int, message: str) -> None:
        """Keep the line."""
        self.logs.append((contract, level, message))

    def random(self, length: int) -> bytes:
        """Deterministic bytes (a counter hashed), distinct on every call."""
        self._counter += 1
        return hashlib.shake_256(self._counter.to_bytes(8, "little")).digest(length)

    def now_ms(self) -> int:
        """The fixed clock."""
        return self.clock_ms

    def worker_pubkey(self) -> bytes:
        """The fixed worker key."""
        return self.pubkey
