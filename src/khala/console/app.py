"""Serving the console: the collector refreshed on every new head, the pages, the server.

The refresher subscribes to ``chain_subscribeNewHeads`` over the node's WebSocket and
refreshes the snapshot (in a thread) on each new head; if the subscription drops it polls
every two seconds while it reconnects with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import structlog
from nicegui import app, run, ui

from khala.console.data import Collector
from khala.console.pages import register
from khala.sdk import Client
from khala.sdk.backoff import Backoff

log = structlog.get_logger("khala.console")

POLL_S = 2.0
"""Refresh interval while the head subscription is down."""


def _ws_url(node: str) -> str:
    return node.replace("http://", "ws://", 1).replace("https://", "wss://", 1)


async def _follow_heads(collector: Collector, node: str) -> None:
    """Refresh on every new head; poll while the subscription is down."""
    backoff = Backoff()
    while True:
        try:
            async with aiohttp.ClientSession() as session, session.ws_connect(_ws_url(node)) as ws:
                await ws.send_json(
                    {"jsonrpc": "2.0", "id": 1, "method": "chain_subscribeNewHeads", "params": []}
                )
                backoff.reset()
                async for message in ws:
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        break
                    if '"method"' in message.data:
                        await run.io_bound(collector.refresh)
        except (aiohttp.ClientError, OSError) as error:
            log.info("head subscription down; polling", reason=str(error))
        await run.io_bound(collector.refresh)
        await asyncio.sleep(min(backoff.next_delay(), POLL_S))


def serve(node: str, workers: list[str], host: str, port: int) -> None:
    """Run the console until interrupted."""
    collector = Collector(Client(node), workers)
    register(collector)
    tasks: list[asyncio.Task[None]] = []

    async def start() -> None:
        """Follow the node's heads once the server runs."""
        tasks.append(asyncio.create_task(_follow_heads(collector, node)))

    async def stop() -> None:
        """Stop following on shutdown."""
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.on_startup(start)
    app.on_shutdown(stop)
    ui.run(
        host=host,
        port=port,
        title="khala console",
        reload=False,
        show=False,
        show_welcome_message=False,
        uvicorn_logging_level="warning",
    )
