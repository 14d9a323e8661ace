"""A client of a real etcd cluster through its v3 JSON gateway (HTTP, no gRPC stack).

etcd serves every v3 call as JSON at ``/v3/...`` on its client port: bytes are base64,
64-bit integers are strings, and fields holding their zero value are left out (a ``put``
watch event has no ``type``; a failed transaction has no ``succeeded``). Requests go to the
first endpoint that answers; a connection failure moves on to the next, so a client keeps
working while a minority of members is down.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from khala.node.etcd.client import (
    Compare,
    DeleteRange,
    EtcdError,
    EtcdErrorCode,
    KeyValue,
    Put,
    TxnResult,
    WatchEvent,
)

REQUEST_TIMEOUT_S = 5.0
"""Longest a unary request may take: etcd answers in milliseconds while it has a leader;
longer means the member lost its quorum, and another endpoint should be tried."""

_TARGETS = {"create": "CREATE", "mod": "MOD", "value": "VALUE"}
_FIELDS = {"create": "create_revision", "mod": "mod_revision", "value": "value"}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str | None) -> bytes:
    return base64.b64decode(text) if text else b""


def _entry(kv: dict[str, Any]) -> KeyValue:
    return KeyValue(
        _unb64(kv.get("key")),
        _unb64(kv.get("value")),
        int(kv.get("create_revision", 0)),
        int(kv.get("mod_revision", 0)),
        int(kv.get("lease", 0)),
    )


def _operation(operation: Put | DeleteRange) -> dict[str, Any]:
    if isinstance(operation, Put):
        put: dict[str, Any] = {"key": _b64(operation.key), "value": _b64(operation.value)}
        if operation.lease:
            put["lease"] = str(operation.lease)
        return {"request_put": put}
    delete = {"key": _b64(operation.start)}
    if operation.end:
        delete["range_end"] = _b64(operation.end)
    return {"request_delete_range": delete}


def _compare(compare: Compare) -> dict[str, Any]:
    expected = compare.expected
    value = _b64(expected) if isinstance(expected, bytes) else str(expected)
    return {
        "key": _b64(compare.key),
        "result": "EQUAL",
        "target": _TARGETS[compare.target],
        _FIELDS[compare.target]: value,
    }


MAX_MESSAGE_BYTES = 64 * 1024 * 1024
"""Largest watch message accepted: a batch of changes to full blocks, base64-encoded
(aiohttp's own line limit, 512 KiB, is below one full block)."""


async def _lines(stream: aiohttp.StreamReader) -> AsyncIterator[bytes]:
    """The newline-separated messages of a watch stream, however long.

    Raises:
        EtcdError: ``etcd.request_failed`` past :data:`MAX_MESSAGE_BYTES`.
    """
    buffer = bytearray()
    async for chunk in stream.iter_any():
        buffer += chunk
        while (end := buffer.find(b"\n")) >= 0:
            line = bytes(buffer[:end])
            del buffer[: end + 1]
            if line.strip():
                yield line
        if len(buffer) > MAX_MESSAGE_BYTES:
            raise EtcdError(EtcdErrorCode.REQUEST_FAILED, "a watch message exceeds 64 MiB")


class GatewayEtcd:
    """An etcd cluster reached through the JSON gateway of its members' client URLs."""

    def __init__(self, endpoints: list[str]) -> None:
        """Use ``endpoints`` (``http://host:2379``), the first that answers first.

        Raises:
            EtcdError: ``etcd.unavailable`` for an empty list.
        """
        if not endpoints:
            raise EtcdError(EtcdErrorCode.UNAVAILABLE, "no etcd endpoint given (--etcd-endpoints)")
        self.endpoints = [endpoint.rstrip("/") for endpoint in endpoints]
        self._current = 0
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
            )
        return self._session

    async def _call(self, path: str, body: dict[str, Any], *, every: bool = False) -> Any:
        """POST ``body`` to the current endpoint, failing over to the others.

        Raises:
            EtcdError: ``etcd.unavailable`` when none answers, ``etcd.request_failed`` when
                etcd refuses the request, ``etcd.lease_expired`` for a lapsed lease.
        """
        failures: list[str] = []
        count = len(self.endpoints)
        for step in range(count):
            index = (self._current + step) % count
            url = self.endpoints[index] + path
            try:
                async with self._client().post(url, json=body) as response:
                    text = await response.text()
            except (aiohttp.ClientError, TimeoutError) as error:
                failures.append(f"{self.endpoints[index]}: {error or type(error).__name__}")
                continue
            answer = json.loads(text) if text else {}
            if response.status != 200:
                message = str(answer.get("message") or answer.get("error") or text)
                if "lease not found" in message:
                    raise EtcdError(EtcdErrorCode.LEASE_EXPIRED, message)
                if response.status >= 500 and "leader" in message:
                    failures.append(f"{self.endpoints[index]}: {message}")
                    continue
                raise EtcdError(EtcdErrorCode.REQUEST_FAILED, f"etcd {path}: {message}")
            self._current = index
            return answer
        raise EtcdError(
            EtcdErrorCode.UNAVAILABLE, "no etcd endpoint answered: " + "; ".join(failures)
        )

    async def get(self, key: bytes) -> KeyValue | None:
        """Return one key, or None."""
        found, _ = await self.range(key, b"")
        return found[0] if found else None

    async def range(
        self, start: bytes, end: bytes, *, limit: int = 0
    ) -> tuple[list[KeyValue], int]:
        """Return the keys in ``[start, end)`` and the revision of the read."""
        body: dict[str, Any] = {"key": _b64(start)}
        if end:
            body["range_end"] = _b64(end)
        if limit:
            body["limit"] = str(limit)
        answer = await self._call("/v3/kv/range", body)
        revision = int(answer.get("header", {}).get("revision", 0))
        return [_entry(kv) for kv in answer.get("kvs", [])], revision

    async def txn(
        self,
        compares: list[Compare],
        success: list[Put | DeleteRange],
        failure: list[Put | DeleteRange] | None = None,
    ) -> TxnResult:
        """One atomic compare-and-swap."""
        body = {
            "compare": [_compare(compare) for compare in compares],
            "success": [_operation(operation) for operation in success],
            "failure": [_operation(operation) for operation in failure or []],
        }
        answer = await self._call("/v3/kv/txn", body)
        revision = int(answer.get("header", {}).get("revision", 0))
        return TxnResult(bool(answer.get("succeeded", False)), revision)

    async def put(self, key: bytes, value: bytes, *, lease: int = 0) -> int:
        """Write one key."""
        body: dict[str, Any] = {"key": _b64(key), "value": _b64(value)}
        if lease:
            body["lease"] = str(lease)
        answer = await self._call("/v3/kv/put", body)
        return int(answer.get("header", {}).get("revision", 0))

    async def delete_range(self, start: bytes, end: bytes = b"") -> int:
        """Delete ``[start, end)``."""
        body = {"key": _b64(start)}
        if end:
            body["range_end"] = _b64(end)
        answer = await self._call("/v3/kv/deleterange", body)
        return int(answer.get("deleted", 0))

    async def grant_lease(self, ttl_s: int) -> int:
        """Create a lease."""
        answer = await self._call("/v3/lease/grant", {"TTL": str(ttl_s)})
        return int(answer["ID"])

    async def keep_alive(self, lease: int) -> int:
        """Renew a lease (one message on the keep-alive stream)."""
        answer = await self._call("/v3/lease/keepalive", {"ID": str(lease)})
        ttl = int(answer.get("result", {}).get("TTL", 0))
        if ttl <= 0:
            raise EtcdError(EtcdErrorCode.LEASE_EXPIRED, f"lease {lease} is gone")
        return ttl

    async def revoke(self, lease: int) -> None:
        """End a lease now."""
        try:
            await self._call("/v3/lease/revoke", {"ID": str(lease)})
        except EtcdError as error:
            if error.code != EtcdErrorCode.LEASE_EXPIRED:
                raise

    async def watch(
        self, start: bytes, end: bytes, *, start_revision: int
    ) -> AsyncIterator[list[WatchEvent]]:
        """Stream changes (one long-lived POST; JSON messages separated by newlines).

        Raises:
            EtcdError: ``etcd.compacted`` when the history was compacted past
                ``start_revision``; ``etcd.unavailable`` when the stream breaks.
        """
        create: dict[str, Any] = {"key": _b64(start), "start_revision": str(start_revision)}
        if end:
            create["range_end"] = _b64(end)
        url = self.endpoints[self._current] + "/v3/watch"
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=REQUEST_TIMEOUT_S)
        try:
            async with self._client().post(
                url, json={"create_request": create}, timeout=timeout
            ) as response:
                async for line in _lines(response.content):
                    result = json.loads(line).get("result", {})
                    if result.get("canceled") or result.get("compact_revision"):
                        raise EtcdError(
                            EtcdErrorCode.COMPACTED,
                            f"watch from revision {start_revision} cancelled: history compacted "
                            f"to {result.get('compact_revision', '?')}",
                        )
                    events = [
                        WatchEvent(
                            "delete" if event.get("type") == "DELETE" else "put",
                            _entry(event.get("kv", {})),
                        )
                        for event in result.get("events", [])
                    ]
                    if events:
                        yield events
        except (aiohttp.ClientError, TimeoutError) as error:
            self._current = (self._current + 1) % len(self.endpoints)
            raise EtcdError(EtcdErrorCode.UNAVAILABLE, f"watch stream broke: {error}") from None
        raise EtcdError(EtcdErrorCode.UNAVAILABLE, "etcd closed the watch stream")

    async def compact(self, revision: int) -> None:
        """Drop history before ``revision``."""
        try:
            await self._call("/v3/kv/compaction", {"revision": str(revision)})
        except EtcdError as error:
            if "compacted" not in error.message:
                raise

    async def defragment(self) -> None:
        """Defragment every member that answers, one endpoint at a time.

        A member that is down is defragmented by a later round.
        """
        for endpoint in self.endpoints:
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with self._client().post(endpoint + "/v3/maintenance/defragment", json={}):
                    pass

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None
