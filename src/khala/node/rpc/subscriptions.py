"""Subscriptions over a WebSocket: new heads, transaction statuses, storage, runtime version.

Each live subscription is one task owned by its :class:`Session` and cancelled with it; a
connection holds at most the policy's number of them (``-32006`` past that). Notifications
follow Substrate's method names.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from aiohttp import web

from khala.node.node import Node, TransactionStatus
from khala.node.rpc.errors import ErrorCode, RpcError
from khala.node.rpc.methods import transaction_error
from khala.node.rpc.params import hex_bytes, positional
from khala.node.rpc.shapes import header_json, hex0x
from khala.node.txpool import PoolError
from khala.runtime.errors import InvalidTransactionError

HEAD_SUBSCRIPTIONS = {
    "chain_subscribeNewHeads": "chain_newHead",
    "chain_subscribeAllHeads": "chain_allHead",
    "chain_subscribeFinalizedHeads": "chain_finalizedHead",
    "chain_subscribeFinalisedHeads": "chain_finalizedHead",
}
VERSION_SUBSCRIPTIONS = {
    "state_subscribeRuntimeVersion": "state_runtimeVersion",
    "chain_subscribeRuntimeVersion": "state_runtimeVersion",
}
STORAGE_SUBSCRIPTION = "state_subscribeStorage"
UNSUBSCRIBE = {
    "state_unsubscribeRuntimeVersion",
    "chain_unsubscribeRuntimeVersion",
    "state_unsubscribeStorage",
    "chain_unsubscribeNewHeads",
    "chain_unsubscribeAllHeads",
    "chain_unsubscribeFinalizedHeads",
    "chain_unsubscribeFinalisedHeads",
    "author_unwatchExtrinsic",
}
WATCH = "author_submitAndWatchExtrinsic"


SUBSCRIPTION_METHODS = {
    *HEAD_SUBSCRIPTIONS,
    *VERSION_SUBSCRIPTIONS,
    STORAGE_SUBSCRIPTION,
    *UNSUBSCRIBE,
    WATCH,
}
MAX_STORAGE_KEYS = 1000
"""Most keys one ``state_subscribeStorage`` watches."""


def _maybe_hex(value: bytes | None) -> str | None:
    return None if value is None else hex0x(value)


def _changes(block: str, changes: list[list[str | None]]) -> dict[str, Any]:
    return {"block": block, "changes": changes}


class Session:
    """One WebSocket connection and its subscriptions."""

    def __init__(self, socket: web.WebSocketResponse) -> None:
        """Wrap an open socket."""
        self.socket = socket
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self._lock = asyncio.Lock()

    async def send(self, payload: Any) -> None:
        """Send one JSON message (serialised, so messages never interleave)."""
        await self.send_text(json.dumps(payload))

    async def send_text(self, text: str) -> None:
        """Send one already serialised JSON message."""
        async with self._lock:
            if not self.socket.closed:
                await self.socket.send_str(text)

    def close(self) -> None:
        """Cancel every subscription."""
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()


class Subscriptions:
    """Starts and stops subscriptions for the sessions of one server."""

    def __init__(self, node: Node, max_per_connection: int) -> None:
        """Serve ``node``'s notifications, at most ``max_per_connection`` per session."""
        self.node = node
        self.max_per_connection = max_per_connection
        self._ids = itertools.count(1)

    async def handle(self, method: str, params: Any, session: Session) -> Any:
        """Answer a subscribe or unsubscribe call.

        Raises:
            RpcError: ``-32006`` past the per-connection cap; bad parameters; refused
                transactions for ``author_submitAndWatchExtrinsic``.
        """
        return await self._subscription(method, params, session)

    async def _subscription(self, method: str, params: Any, session: Session) -> Any:
        if method in UNSUBSCRIBE:
            (subscription,) = positional(params, 1, method)
            task = session.tasks.pop(str(subscription), None)
            if task is not None:
                task.cancel()
            return task is not None
        if len(session.tasks) >= self.max_per_connection:
            raise RpcError(
                ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                f"this connection holds {self.max_per_connection} subscriptions, the most "
                "allowed; unsubscribe from some or open another connection",
            )
        subscription_id = str(next(self._ids))
        if method == WATCH:
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
        if method in VERSION_SUBSCRIPTIONS:
            positional(params, 0, method)
            queue = self.node.subscribe_heads()
            session.tasks[subscription_id] = asyncio.create_task(
                self._pump_versions(session, subscription_id, VERSION_SUBSCRIPTIONS[method], queue)
            )
            return subscription_id
        if method == STORAGE_SUBSCRIPTION:
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
        notification = HEAD_SUBSCRIPTIONS[method]
        finalized = notification == "chain_finalizedHead"
        queue = self.node.subscribe_heads(finalized=finalized)
        session.tasks[subscription_id] = asyncio.create_task(
            self._pump_heads(session, subscription_id, notification, queue, finalized)
        )
        return subscription_id

    async def _pump_heads(
        self,
        session: Session,
        subscription: str,
        method: str,
        queue: asyncio.Queue[Any],
        finalized: bool,
    ) -> None:
        try:
            await asyncio.sleep(0)  # let the subscription id reach the client first
            first = self.node.finalized_header() if finalized else self.node.chain.head
            await self._notify(session, method, subscription, header_json(first))
            while True:
                header = await queue.get()
                await self._notify(session, method, subscription, header_json(header))
        finally:
            self.node.unsubscribe_heads(queue)

    async def _pump_versions(
        self, session: Session, subscription: str, method: str, queue: asyncio.Queue[Any]
    ) -> None:
        """Send the head's runtime version now, then again whenever a block changes it."""
        try:
            await asyncio.sleep(0)
            chain = self.node.chain
            current = chain.release_at(None)
            await self._notify(session, method, subscription, current.version_json())
            while True:
                header = await queue.get()
                found = chain.release_at(header.hash())
                if found.spec_version != current.spec_version:
                    current = found
                    await self._notify(session, method, subscription, current.version_json())
        finally:
            self.node.unsubscribe_heads(queue)

    async def _pump_storage(
        self, session: Session, subscription: str, keys: list[bytes], queue: asyncio.Queue[Any]
    ) -> None:
        """Send the keys' values now, then the ones that changed with each new block."""
        try:
            await asyncio.sleep(0)
            chain = self.node.chain
            _, head_hash, trie = chain.tip  # values and block of one head
            last = {key: trie.get(key) for key in keys}
            changes = [[hex0x(key), _maybe_hex(value)] for key, value in last.items()]
            block = hex0x(head_hash)
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
