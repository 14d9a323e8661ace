"""The worker's pink backend: real HTTP (aiohttp), the enclave's randomness, a bounded cache.

HTTP requests come from queries running in worker threads, so each request runs its own short
event loop (``asyncio.run``) with aiohttp: only ``http``/``https`` URLs, a deadline for the
whole exchange, at most :data:`MAX_RESPONSE_BYTES` of body and :data:`MAX_HEADERS` headers;
failures map onto pink's ``HttpRequestError`` kinds. Commands never reach this backend's
network (pink answers them deterministically).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

import aiohttp
import structlog

from khala.contracts.pink import HttpFailure, HttpRequest, HttpRequestError, HttpResponse
from khala.contracts.pink_memory import cache_write
from khala.enclave.backend import EnclaveBackend

log = structlog.get_logger("khala.worker.pink")

MAX_RESPONSE_BYTES = 2 * 1024 * 1024
"""Largest response body a contract may receive (Phala's limit is of this order)."""
MAX_HEADERS = 64
"""Most response headers passed to a contract."""
CACHE_QUOTA_BYTES = 4 * 1024 * 1024
"""Bytes of cache (keys and values) each contract may hold in this worker."""
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


class WorkerPinkBackend:
    """Pink's outside world for a worker."""

    def __init__(
        self, enclave: EnclaveBackend, ecdh_public: bytes, clock: Callable[[], float]
    ) -> None:
        """Use the enclave's randomness, the worker's key and wall clock (seconds)."""
        self.enclave = enclave
        self.ecdh_public = ecdh_public
        self.clock = clock
        self._cache: dict[tuple[bytes, bytes], bytes] = {}
        self._lock = threading.Lock()

    def http_request(self, request: HttpRequest, timeout_s: float) -> HttpResponse:
        """Make one request within ``timeout_s``.

        Raises:
            HttpFailure: With pink's error kind.
        """
        method = request.method.upper()
        if method not in _METHODS:
            raise HttpFailure(HttpRequestError.INVALID_METHOD, request.method)
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise HttpFailure(HttpRequestError.INVALID_URL, request.url)
        for name, value in request.headers:
            if not name or any(c in name for c in " :\r\n") or any(c in value for c in "\r\n"):
                raise HttpFailure(HttpRequestError.INVALID_HEADER_NAME, name)
        try:
            return asyncio.run(_fetch(method, request, timeout_s))
        except TimeoutError:
            raise HttpFailure(HttpRequestError.TIMEOUT, request.url) from None
        except aiohttp.ClientError as error:
            raise HttpFailure(HttpRequestError.NETWORK_ERROR, str(error)) from None

    def contract_secret(self, contract: bytes) -> bytes:
        """Never used: the cluster runtime derives contract secrets from the cluster key."""
        raise RuntimeError("contract secrets come from the cluster key")

    def cache_get(self, contract: bytes, key: bytes) -> bytes | None:
        """Read the worker-local cache."""
        with self._lock:
            return self._cache.get((contract, key))

    def cache_set(self, contract: bytes, key: bytes, value: bytes | None) -> bool:
        """Write or remove; False beyond the contract's quota."""
        with self._lock:
            return cache_write(self._cache, contract, key, value, CACHE_QUOTA_BYTES)

    def log(self, contract: bytes, level: int, message: str) -> None:
        """Write a contract's log line to the worker's log."""
        log.info(
            "contract log", contract="0x" + contract.hex(), level=level, message=message[:4096]
        )

    def random(self, length: int) -> bytes:
        """The enclave's randomness."""
        return self.enclave.random(length)

    def now_ms(self) -> int:
        """The worker's clock in milliseconds."""
        return int(self.clock() * 1000)

    def worker_pubkey(self) -> bytes:
        """The worker's x25519 key."""
        return self.ecdh_public


async def _fetch(method: str, request: HttpRequest, timeout_s: float) -> HttpResponse:
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.request(
            method,
            request.url,
            headers=request.headers,
            data=request.body or None,
            allow_redirects=False,
        ) as response,
    ):
        if len(response.headers) > MAX_HEADERS:
            raise HttpFailure(HttpRequestError.TOO_MANY_HEADERS, f"{len(response.headers)}")
        body = bytearray()
        async for chunk in response.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > MAX_RESPONSE_BYTES:
                raise HttpFailure(HttpRequestError.RESPONSE_TOO_LARGE, f"over {MAX_RESPONSE_BYTES}")
        headers = [(name, value) for name, value in response.headers.items()]
        return HttpResponse(response.status, response.reason or "", headers, bytes(body))
