"""Transports: how a client reaches a node.

One interface, an HTTP implementation each for the sync and async clients, and a loopback for
tests that talks to an in-process server.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from itertools import count
from typing import Any, Protocol

import aiohttp

from khala.sdk.errors import SdkError, SdkErrorCode, rpc_failure

DEFAULT_URL = "http://127.0.0.1:9944"
"""Where ``khala node`` listens by default."""
DEFAULT_TIMEOUT_S = 30.0
"""Seconds one request may take."""


class Transport(Protocol):
    """Sends one JSON-RPC call and returns its result."""

    def request(self, method: str, params: list[Any]) -> Any:
        """Call ``method``; raises :class:`SdkError` on failure."""
        ...


class AsyncTransport(Protocol):
    """The async twin of :class:`Transport`."""

    async def request(self, method: str, params: list[Any]) -> Any:
        """Call ``method``; raises :class:`SdkError` on failure."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def _result(answer: Any) -> Any:
    if not isinstance(answer, dict) or answer.get("jsonrpc") != "2.0":
        raise SdkError(SdkErrorCode.BAD_RESPONSE, "the node's answer is not JSON-RPC 2.0")
    if "error" in answer:
        raise rpc_failure(answer["error"])
    return answer.get("result")


class HttpTransport:
    """JSON-RPC over HTTP POST with the standard library."""

    def __init__(self, url: str = DEFAULT_URL, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        """Talk to the node at ``url``."""
        self.url = url.replace("ws://", "http://").replace("wss://", "https://")
        self.timeout_s = timeout_s
        self._ids = count(1)

    def request(self, method: str, params: list[Any]) -> Any:
        """POST one call."""
        body = json.dumps(
            {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        )
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's node
            self.url, data=body.encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
        except (urllib.error.URLError, OSError) as error:
            raise SdkError(
                SdkErrorCode.CONNECTION_FAILED,
                f"cannot reach the node at {self.url} ({error}); is `khala node` running?",
            ) from None
        try:
            return _result(json.loads(raw))
        except ValueError:
            raise SdkError(SdkErrorCode.BAD_RESPONSE, "the node's answer is not JSON") from None


class AsyncHttpTransport:
    """JSON-RPC over HTTP POST with aiohttp (one pooled session)."""

    def __init__(self, url: str = DEFAULT_URL, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        """Talk to the node at ``url``; the session opens on first use."""
        self.url = url.replace("ws://", "http://").replace("wss://", "https://")
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._ids = count(1)

    async def request(self, method: str, params: list[Any]) -> Any:
        """POST one call."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        body = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        try:
            async with self._session.post(self.url, json=body) as response:
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise SdkError(
                SdkErrorCode.CONNECTION_FAILED,
                f"cannot reach the node at {self.url} ({error}); is `khala node` running?",
            ) from None
        except ValueError:
            raise SdkError(SdkErrorCode.BAD_RESPONSE, "the node's answer is not JSON") from None
        return _result(answer)

    async def close(self) -> None:
        """Close the session."""
        if self._session is not None:
            await self._session.close()
            self._session = None


class LoopbackTransport:
    """Calls an in-process JSON-RPC handler (tests): ``handler(request) -> response``."""

    def __init__(self, handler: Callable[[dict[str, Any]], Awaitable[Any]]) -> None:
        """Wrap an async handler taking and returning JSON-RPC objects."""
        self._handler = handler
        self._ids = count(1)

    async def request(self, method: str, params: list[Any]) -> Any:
        """Hand the call to the handler."""
        answer = await self._handler(
            {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        )
        return _result(answer)

    async def close(self) -> None:
        """Nothing to release."""
