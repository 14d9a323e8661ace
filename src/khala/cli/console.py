"""``khala console``: the web console."""

from __future__ import annotations

import typer


def console(
    node: str = typer.Option("http://127.0.0.1:9944", "--node", help="The node's RPC URL."),
    workers: str = typer.Option(
        "", "--workers", help="Workers' public API URLs, comma-separated (for names and sync)."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to serve on."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to serve on."),
) -> None:
    """Serve the web console: explorer, mining, pools, staking, governance, gatekeepers, vesting.

    It reads only the node's RPC and the workers' public APIs. Open http://HOST:PORT.
    """
    from khala.console.app import serve  # noqa: PLC0415 - the web stack loads only when asked

    serve(node, [url for url in workers.split(",") if url], host, port)
