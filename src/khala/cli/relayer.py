"""``khala relayer``: register workers and keep their endpoints fresh."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import typer

from khala.cli.logs import configure_logging
from khala.cli.output import emit, reported_errors
from khala.relayer.registration import DEFAULT_REFRESH_S, RelayerConfig, relay_forever, relay_once
from khala.sdk import keyring


def relayer(
    node: str = typer.Option(..., "--node", help="The chain node's RPC URL."),
    worker: str = typer.Option(
        ..., "--worker", help="The worker's API URL, e.g. http://127.0.0.1:8000."
    ),
    operator: str = typer.Option(
        ..., "--operator", help="Secret URI of the operator account (pays fees)."
    ),
    endpoint: str | None = typer.Option(
        None, "--endpoint", help="Public API URL to publish (default: --worker)."
    ),
    refresh: float = typer.Option(
        DEFAULT_REFRESH_S, "--refresh", min=1, help="Seconds between refreshes."
    ),
    once: bool = typer.Option(
        False, "--once", help="Register and publish once, then exit (non-zero on refusal)."
    ),
    as_json: bool = typer.Option(False, "--json", help="With --once: print one JSON object."),
    log_json: bool = typer.Option(False, "--log-json", help="Write logs as JSON lines."),
) -> None:
    """Register a worker on chain and keep its registration and endpoint fresh.

    Example: `khala relayer --node URL --worker http://127.0.0.1:8000 --operator //Alice`
    """
    configure_logging(as_json=log_json)
    with reported_errors(as_json=as_json):
        config = RelayerConfig(node, worker.rstrip("/"), keyring.pair(operator), endpoint, refresh)
        if once:
            registered, published = asyncio.run(relay_once(config))
            payload = {
                "registered_in_block": registered.block_number,
                "endpoint_in_block": published.block_number,
            }
            emit(
                payload,
                as_json=as_json,
                text=lambda: f"registered in block #{registered.block_number}",
            )
            return
        asyncio.run(_forever(config))


async def _forever(config: RelayerConfig) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(relay_forever(config))
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task
