"""The JSON-RPC server: HTTP POST and WebSocket on one port (aiohttp).

Every malformed input gets a JSON-RPC error and the server keeps serving: non-JSON (-32700),
non-request objects (-32600), unknown methods (-32601), bad parameters (-32602), bodies over
the size limit (-32600 with HTTP 413, or WebSocket close 1009), unexpected failures (-32603,
logged). Subscriptions need a WebSocket; their notifications follow Substrate's names.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from typing import Any

import structlog
from aiohttp import WSMsgType, web

from khala.errors import KhalaError
from khala.node.node import Node, TransactionStatus
from khala.node.rpc.errors import ErrorCode, RpcError
from khala.node.rpc.methods import RpcMethods, transaction_error
from khala.node.rpc.params import hex_bytes, positional
from khala.node.rpc.shapes import header_json, hex0x
from khala.node.txpool import PoolError
from khala.runtime.errors import InvalidTransactionError
from khala.runtime.version import runtime_version

DEFAULT_MAX_REQUEST_BYTES = 15 * 1024 * 1024
"""Largest request body or WebSocket message (Substrate's default is 15 MiB)."""
MAX_BATCH = 1000
"""Most calls in one batch request."""

log = structlog.get_logger("khala.rpc")

_HEAD_SUBSCRIPTIONS = {
    "chain_subscribeNewHeads": "chain_newHead",
    "chain_subscribeAllHeads": "chain_allHead",
    "chain_subscribeFinalizedHeads": "chain_finalizedHead",
    "chain_subscribeFinalisedHeads": "chain_finalizedHead",
}
_VERSION_SUBSCRIPTIONS = {
    "state_subscribeRuntimeVersion": "state_runtimeVersion",
    "chain_subscribeRuntimeVersion": "state_runtimeVersion",
}
_STORAGE_SUBSCRIPTION = "state_subscribeStorage"
_UNSUBSCRIBE = {
    "state_unsubscribeRuntimeVersion",
    "chain_unsubscribeRuntimeVersion",
    "state_unsubscribeStorage",
    "chain_unsubscribeNewHeads",
    "chain_unsubscribeAllHeads",
    "chain_unsubscribeFinalizedHeads",
    "chain_unsubscribeFinalisedHeads",
    "author_unwatchExtrinsic",
}
_WATCH = "author_submitAndWatchExtrinsic"


_SUBSCRIPTION_METHODS = {
    *_HEAD_SUBSCRIPTIONS,
    *_VERSION_SUBSCRIPTIONS,
    _STORAGE_SUBSCRIPTION,
    *_UNSUBSCRIBE,
    _WATCH,
}
MAX_STORAGE_KEYS = 1000
"""Most keys one ``state_subscribeStorage`` watches."""


def _maybe_hex(value: bytes | None) -> str | None:
    return None if value is None else hex0x(value)


def _changes(block: str, changes: list[list[str | None]]) -> dict[str, Any]:
    return {"block": block, "changes": changes}


def _error(request_id: Any, error: RpcError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": error.to_json()}


class Session:
    """One WebSocket connection and its subscriptions."""

    def __init__(self, socket: web.WebSocketResponse) -> None:
        """Wrap an open socket."""
        self.socket = socket
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self._lock = asyncio.Lock()

    async def send(self, payload: Any) -> None:
        """Send one JSON message (serialised, so messages never interleave)."""
        async with self._lock:
            if not self.socket.closed:
                await self.socket.send_str(json.dumps(payload))

    def close(self) -> None:
        """Cancel every subscription."""
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()


class RpcServer:
    """Serves :class:`RpcMethods` and subscriptions over HTTP and WebSocket."""

    def __init__(self, node: Node, *, max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES) -> None:
        """Serve ``node``."""
        self.node = node
        self.methods = RpcMethods(node)
        self.max_request_bytes = max_request_bytes
        self._ids = itertools.count(1)
        self._sessions: set[Session] = set()

    def application(self) -> web.Application:
        """Return the aiohttp application (also used by in-process tests)."""
        app = web.Application(client_max_size=self.max_request_bytes)
        app.router.add_route("*", "/", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request)
        if request.method != "POST":
            return web.json_response(
                {"error": "use POST with a JSON-RPC body, or a WebSocket"}, status=405
            )
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            error = RpcError(
                ErrorCode.INVALID_REQUEST, f"request larger than {self.max_request_bytes} bytes"
            )
            return web.json_response(_error(None, error), status=413)
        response = await self.process(body, None)
        if response is None:
            return web.Response(status=204)
        return web.Response(text=json.dumps(response), content_type="application/json")

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(max_msg_size=self.max_request_bytes, heartbeat=30)
        await socket.prepare(request)
        session = Session(socket)
        self._sessions.add(session)
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    response = await self.process(message.data, session)
                    if response is not None:
                        await session.send(response)
                elif message.type == WSMsgType.BINARY:
                    await session.send(
                        _error(
                            None, RpcError(ErrorCode.PARSE_ERROR, "Parse error: send text frames")
                        )
                    )
        finally:
            session.close()
            self._sessions.discard(session)
        return socket

    async def process(self, body: str | bytes, session: Session | None) -> Any:
        """Answer one request body (single or batch); None when only notifications."""
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _error(
                None, RpcError(ErrorCode.PARSE_ERROR, "Parse error: the body is not JSON")
            )
        if isinstance(payload, list):
            if not payload or len(payload) > MAX_BATCH:
                return _error(
                    None,
                    RpcError(ErrorCode.INVALID_REQUEST, f"a batch holds 1 to {MAX_BATCH} calls"),
                )
            answers = [await self._single(item, session) for item in payload]
            present = [answer for answer in answers if answer is not None]
            return present or None
        return await self._single(payload, session)

    async def _single(self, request: Any, session: Session | None) -> dict[str, Any] | None:
        if (
            not isinstance(request, dict)
            or request.get("jsonrpc") != "2.0"
            or not isinstance(request.get("method"), str)
        ):
            return _error(
                None,
                RpcError(
                    ErrorCode.INVALID_REQUEST,
                    "Invalid request: need jsonrpc '2.0' and a method name",
                ),
            )
        request_id = request.get("id")
        if not (request_id is None or isinstance(request_id, str | int)) or isinstance(
            request_id, bool
        ):
            return _error(
                None,
                RpcError(
                    ErrorCode.INVALID_REQUEST,
                    "Invalid request: id must be a string, number or null",
                ),
            )
        is_notification = "id" not in request
        try:
            result = await self._call(request["method"], request.get("params"), session)
        except RpcError as error:
            return None if is_notification else _error(request_id, error)
        except KhalaError as error:
            failure = RpcError(
                ErrorCode.INVALID_PARAMS, f"Invalid params: {error.message}", error.code.value
            )
            return None if is_notification else _error(request_id, failure)
        except Exception:
            log.exception("rpc method failed", method=request["method"])
            return (
                None
                if is_notification
                else _error(request_id, RpcError(ErrorCode.INTERNAL_ERROR, "Internal error"))
            )
        return None if is_notification else {"jsonrpc": "2.0", "id": request_id, "result": result}

    async def _call(self, method: str, params: Any, session: Session | None) -> Any:
        if method == "rpc_methods":
            names = [
                *self.methods.names(),
                *_HEAD_SUBSCRIPTIONS,
                *_VERSION_SUBSCRIPTIONS,
                _STORAGE_SUBSCRIPTION,
                *_UNSUBSCRIBE,
                _WATCH,
                "rpc_methods",
            ]
            return {"methods": sorted(names)}
        handler = self.methods.handlers.get(method)
        if handler is not None:
            return handler(params)
        if method in _SUBSCRIPTION_METHODS:
            if session is None:
                raise RpcError(ErrorCode.METHOD_NOT_FOUND, f"{method} needs a WebSocket connection")
            return await self._subscription(method, params, session)
        raise RpcError(ErrorCode.METHOD_NOT_FOUND, f"Method not found: {method}; see rpc_methods")

    async def _subscription(self, method: str, params: Any, session: Session) -> Any:
        if method in _UNSUBSCRIBE:
            (subscription,) = positional(params, 1, method)
            task = session.tasks.pop(str(subscription), None)
            if task is not None:
                task.cancel()
            return task is not None
        subscription_id = str(next(self._ids))
        if method == _WATCH:
            (extrinsic,) = positional(params, 1, method)
            raw = hex_bytes(extrinsic, "extrinsic")
            try:
                tx_hash = self.node.submit(raw)
            except (InvalidTransactionError, PoolError) as error:
                raise transaction_error(error) from None
            queue = self.node.watch(tx_hash)
            first = TransactionStatus("ready")
            session.tasks[subscription_id] = asyncio.create_task(
                self._pump_statuses(session, subscription_id, tx_hash, queue, first)
            )
            return subscription_id
        if method in _VERSION_SUBSCRIPTIONS:
            positional(params, 0, method)
            session.tasks[subscription_id] = asyncio.create_task(
                self._send_version(session, subscription_id, _VERSION_SUBSCRIPTIONS[method])
            )
            return subscription_id
        if method == _STORAGE_SUBSCRIPTION:
            (keys,) = positional(params, 1, method)
            if not isinstance(keys, list) or len(keys) > MAX_STORAGE_KEYS:
                raise RpcError(
                    ErrorCode.INVALID_PARAMS,
                    f"Invalid params: keys must be an array of at most {MAX_STORAGE_KEYS} keys",
                )
            parsed = [hex_bytes(key, "storage key") for key in keys]
            queue = self.node.subscribe_heads()
            session.tasks[subscription_id] = asyncio.create_task(
                self._pump_storage(session, subscription_id, parsed, queue)
            )
            return subscription_id
        positional(params, 0, method)
        notification = _HEAD_SUBSCRIPTIONS[method]
        queue = self.node.subscribe_heads()
        session.tasks[subscription_id] = asyncio.create_task(
            self._pump_heads(session, subscription_id, notification, queue)
        )
        return subscription_id

    async def _pump_heads(
        self, session: Session, subscription: str, method: str, queue: asyncio.Queue[Any]
    ) -> None:
        try:
            await asyncio.sleep(0)  # let the subscription id reach the client first
            await self._notify(session, method, subscription, header_json(self.node.chain.head))
            while True:
                header = await queue.get()
                await self._notify(session, method, subscription, header_json(header))
        finally:
            self.node.unsubscribe_heads(queue)

    async def _send_version(self, session: Session, subscription: str, method: str) -> None:
        """The version never changes while the node runs: one notification."""
        await asyncio.sleep(0)
        await self._notify(session, method, subscription, runtime_version())

    async def _pump_storage(
        self, session: Session, subscription: str, keys: list[bytes], queue: asyncio.Queue[Any]
    ) -> None:
        """Send the keys' values now, then the ones that changed with each new block."""
        try:
            await asyncio.sleep(0)
            chain = self.node.chain
            last = {key: chain.state_at(None).get(key) for key in keys}
            changes = [[hex0x(key), _maybe_hex(value)] for key, value in last.items()]
            block = hex0x(chain.head_hash)
            await self._notify(session, "state_storage", subscription, _changes(block, changes))
            while True:
                header = await queue.get()
                state = chain.state_at(header.hash())
                changed = []
                for key in keys:
                    value = state.get(key)
                    if value != last[key]:
                        last[key] = value
                        changed.append([hex0x(key), _maybe_hex(value)])
                if changed:
                    result = _changes(hex0x(header.hash()), changed)
                    await self._notify(session, "state_storage", subscription, result)
        finally:
            self.node.unsubscribe_heads(queue)

    async def _pump_statuses(
        self,
        session: Session,
        subscription: str,
        tx_hash: bytes,
        queue: asyncio.Queue[TransactionStatus],
        first: TransactionStatus,
    ) -> None:
        try:
            await asyncio.sleep(0)
            await self._notify(session, "author_extrinsicUpdate", subscription, first.to_json())
            while True:
                status = await queue.get()
                await self._notify(
                    session, "author_extrinsicUpdate", subscription, status.to_json()
                )
                if status.kind in ("finalized", "invalid", "dropped"):
                    return
        finally:
            self.node.unwatch(tx_hash, queue)
            session.tasks.pop(subscription, None)

    async def _notify(self, session: Session, method: str, subscription: str, result: Any) -> None:
        await session.send(
            {
                "jsonrpc": "2.0",
                "method": method,
                "params": {"subscription": subscription, "result": result},
            }
        )

    async def close(self) -> None:
        """Close every WebSocket session."""
        for session in list(self._sessions):
            session.close()
            with contextlib.suppress(Exception):
                await session.socket.close()
