"""The JSON-RPC server: HTTP POST and WebSocket on one port (aiohttp).

Every malformed input gets a JSON-RPC error and the server keeps serving: non-JSON or JSON too
deeply nested (-32700), non-request objects (-32600), unknown methods (-32601), bad parameters
(-32602), bodies over the size limit (-32600 with HTTP 413, or WebSocket close 1009), answers
over the response limit (-32008), subscriptions past the per-connection cap (-32006),
unexpected failures (-32603, one log line). Browsers are held to ``--rpc-cors``: a page from
another origin gets HTTP 403, and HTTP bodies must be ``application/json`` (415 otherwise), so a
page cannot post a "simple" cross-site request either. Limits: :class:`RpcPolicy`.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import structlog
from aiohttp import WSMsgType, web

from khala.errors import KhalaError
from khala.node.node import Node
from khala.node.rpc.errors import ErrorCode, RpcError
from khala.node.rpc.methods import MAX_RELAYED, RpcMethods
from khala.node.rpc.policy import MIB, RpcPolicy
from khala.node.rpc.subscriptions import (
    HEAD_SUBSCRIPTIONS,
    STORAGE_SUBSCRIPTION,
    SUBSCRIPTION_METHODS,
    UNSUBSCRIBE,
    VERSION_SUBSCRIPTIONS,
    WATCH,
    Session,
    Subscriptions,
)

SUBMISSIONS = frozenset({"author_submitExtrinsic", WATCH})
"""Methods whose one parameter is a transaction to pool."""
RELAY = "khala_relayExtrinsics"
"""The method whose one parameter is a list of transactions to pool (from cluster peers)."""
DEFAULT_MAX_REQUEST_BYTES = 15 * MIB
"""Largest request body or WebSocket message (Substrate's default is 15 MiB)."""

log = structlog.get_logger("khala.rpc")


def _error(request_id: Any, error: RpcError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": error.to_json()}


def submitted_extrinsics(payload: Any) -> list[bytes]:
    """Return the transactions a request (single or batch) submits, for :meth:`Node.preverify`.

    Malformed ones are left out: their calls answer the error.
    """
    requests = payload if isinstance(payload, list) else [payload]
    raws: list[bytes] = []
    for request in requests:
        if not isinstance(request, dict):
            continue
        method, params = request.get("method"), request.get("params")
        if not isinstance(params, list) or len(params) != 1:
            continue
        if method in SUBMISSIONS:
            items = params
        elif method == RELAY and isinstance(params[0], list):
            items = params[0][:MAX_RELAYED]
        else:
            continue
        for item in items:
            if isinstance(item, str) and item.startswith("0x"):
                with contextlib.suppress(ValueError):
                    raws.append(bytes.fromhex(item[2:]))
    return raws


def _too_large(request_id: Any, limit: int) -> str:
    error = RpcError(
        ErrorCode.RESPONSE_TOO_LARGE,
        f"the answer would exceed {limit} bytes; ask for less (fewer blocks per call, "
        "fewer calls per batch)",
    )
    return json.dumps(_error(request_id, error))


class RpcServer:
    """Serves :class:`RpcMethods` and subscriptions over HTTP and WebSocket."""

    def __init__(
        self,
        node: Node,
        *,
        max_request_bytes: int | None = None,
        policy: RpcPolicy | None = None,
    ) -> None:
        """Serve ``node`` under ``policy`` (``max_request_bytes`` overrides its request limit)."""
        policy = policy or RpcPolicy()
        if max_request_bytes is not None:
            policy = RpcPolicy(
                max_request_bytes,
                policy.max_response_bytes,
                policy.max_batch,
                policy.max_subscriptions,
                policy.cors,
            )
        self.node = node
        self.policy = policy
        self.methods = RpcMethods(node)
        self.subscriptions = Subscriptions(node, policy.max_subscriptions)
        self._sessions: set[Session] = set()

    @property
    def max_request_bytes(self) -> int:
        """The request size limit."""
        return self.policy.max_request_bytes

    def application(self) -> web.Application:
        """Return the aiohttp application (also used by in-process tests)."""
        app = web.Application(client_max_size=self.policy.max_request_bytes)
        app.router.add_route("*", "/", self._handle)
        return app

    def _cors_headers(self, origin: str | None) -> dict[str, str]:
        if origin is None:
            return {}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
            "Vary": "Origin",
        }

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if not self.policy.allows_origin(origin):
            return web.json_response(
                {"error": f"origin {origin} is not allowed; start the node with --rpc-cors"},
                status=403,
            )
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request)
        headers = self._cors_headers(origin)
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=headers)
        if request.method != "POST":
            return web.json_response(
                {"error": "use POST with a JSON-RPC body, or a WebSocket"}, status=405
            )
        if request.content_type != "application/json":
            return web.json_response(
                {"error": "send the JSON-RPC body with Content-Type: application/json"},
                status=415,
                headers=headers,
            )
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            error = RpcError(
                ErrorCode.INVALID_REQUEST,
                f"request larger than {self.policy.max_request_bytes} bytes",
            )
            return web.json_response(_error(None, error), status=413, headers=headers)
        response = await self.process(body, None)
        if response is None:
            return web.Response(status=204, headers=headers)
        return web.Response(text=response, content_type="application/json", headers=headers)

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(max_msg_size=self.policy.max_request_bytes, heartbeat=30)
        await socket.prepare(request)
        session = Session(socket)
        self._sessions.add(session)
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    response = await self.process(message.data, session)
                    if response is not None:
                        await session.send_text(response)
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

    async def process(self, body: str | bytes, session: Session | None) -> str | None:
        """Answer one request body (single or batch) as JSON text; None for notifications only.

        A batch's answers together stay under the response limit: once they reach it, the
        remaining calls are answered with ``-32008`` instead of being run. When the request
        pooled transactions on a clustered node, the answer waits until the other reachable
        nodes hold them too (:attr:`Node.settle`), so an accepted transaction outlives this
        node.
        """
        mark = self.node.relayed_submissions
        answer = await self._process(body, session)
        if self.node.relayed_submissions != mark and self.node.settle is not None:
            await self.node.settle()
        return answer

    async def _process(self, body: str | bytes, session: Session | None) -> str | None:
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            error = RpcError(ErrorCode.PARSE_ERROR, "Parse error: the body is not JSON")
            return json.dumps(_error(None, error))
        await self.node.preverify(submitted_extrinsics(payload))
        limit = self.policy.max_response_bytes
        if not isinstance(payload, list):
            answer = await self._single(payload, session)
            if answer is None:
                return None
            text = json.dumps(answer)
            return text if len(text) <= limit else _too_large(answer.get("id"), limit)
        if not payload or len(payload) > self.policy.max_batch:
            error = RpcError(
                ErrorCode.INVALID_REQUEST, f"a batch holds 1 to {self.policy.max_batch} calls"
            )
            return json.dumps(_error(None, error))
        parts: list[str] = []
        size = 0
        for item in payload:
            if size >= limit:
                request_id = item.get("id") if isinstance(item, dict) else None
                parts.append(_too_large(request_id, limit))
                continue
            answer = await self._single(item, session)
            if answer is None:
                continue
            text = json.dumps(answer)
            if size + len(text) > limit:
                text = _too_large(answer.get("id"), limit)
            size += len(text)
            parts.append(text)
        return f"[{','.join(parts)}]" if parts else None

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
        except Exception as failure:
            log.error(
                "rpc method failed",
                method=request["method"],
                error=f"{type(failure).__name__}: {failure}"[:200],
            )
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
                *HEAD_SUBSCRIPTIONS,
                *VERSION_SUBSCRIPTIONS,
                STORAGE_SUBSCRIPTION,
                *UNSUBSCRIBE,
                WATCH,
                "rpc_methods",
            ]
            return {"methods": sorted(names)}
        handler = self.methods.handlers.get(method)
        if handler is not None:
            return handler(params)
        if method in SUBSCRIPTION_METHODS:
            if session is None:
                raise RpcError(ErrorCode.METHOD_NOT_FOUND, f"{method} needs a WebSocket connection")
            return await self.subscriptions.handle(method, params, session)
        raise RpcError(ErrorCode.METHOD_NOT_FOUND, f"Method not found: {method}; see rpc_methods")

    async def close(self) -> None:
        """Close every WebSocket session."""
        for session in list(self._sessions):
            session.close()
            with contextlib.suppress(Exception):
                await session.socket.close()
