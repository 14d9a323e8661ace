"""An in-process node with its RPC server on an ephemeral loopback port."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

from khala.node.chain import Chain
from khala.node.clock import ManualClock
from khala.node.node import Node
from khala.node.rpc.server import RpcServer
from khala.node.storage import DEFAULT_STATE_PRUNING, MemoryChainStore
from khala.node.txpool import TransactionPool
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.runtime.genesis import GenesisConfig, dev_genesis


class RpcHarness:
    def __init__(self, node: Node, session: aiohttp.ClientSession, url: str) -> None:
        self.node = node
        self.session = session
        self.url = url
        self.clock: ManualClock = node.clock  # type: ignore[assignment]

    async def post(self, body: Any, *, raw: bytes | None = None) -> tuple[int, Any]:
        data = raw if raw is not None else None
        headers = {"Content-Type": "application/json"} if raw is not None else None
        async with self.session.post(
            self.url, json=None if raw is not None else body, data=data, headers=headers
        ) as response:
            text = await response.text()
            return response.status, (None if not text else json.loads(text))

    async def call(self, method: str, *params: Any) -> Any:
        _, answer = await self.post(
            {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        )
        return answer

    def author(self) -> None:
        self.clock.advance(2_000)
        self.node.author_next()


def make_node(
    pool_limit: int = 8192,
    genesis: GenesisConfig | None = None,
    state_pruning: int | None = DEFAULT_STATE_PRUNING,
) -> Node:
    chain = Chain(MemoryChainStore(state_pruning), genesis or dev_genesis())
    return Node(
        chain,
        TransactionPool(pool_limit),
        keypair_from_uri("//Alice", KeyScheme.ED25519),
        ManualClock(),
    )


@asynccontextmanager
async def running(
    max_request_bytes: int = 1 << 20,
    genesis: GenesisConfig | None = None,
    state_pruning: int | None = DEFAULT_STATE_PRUNING,
    pool_limit: int = 8192,
) -> AsyncIterator[RpcHarness]:
    node = make_node(pool_limit=pool_limit, genesis=genesis, state_pruning=state_pruning)
    server = RpcServer(node, max_request_bytes=max_request_bytes)
    runner = web.AppRunner(server.application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        try:
            yield RpcHarness(node, session, f"http://127.0.0.1:{port}/")
        finally:
            await server.close()
            await runner.cleanup()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)
