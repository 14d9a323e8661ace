"""``khala relayer``: register workers, feed them blocks, carry their egress messages."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer

from khala.cli.logs import configure_logging
from khala.cli.output import CliError, CliErrorCode, emit, read_file, reported_errors
from khala.cli.signals import run_until_signal
from khala.cli.signer import signer
from khala.relayer.registration import DEFAULT_REFRESH_S
from khala.relayer.service import RelayerService, RelayerServiceConfig
from khala.relayer.sync import DEFAULT_BATCH
from khala.sdk.core import account_id


def relayer(
    node: str | None = typer.Option(None, "--node", help="The chain node's RPC URL."),
    worker: list[str] = typer.Option(
        [],
        "--worker",
        help="A worker's control API URL, e.g. http://127.0.0.1:8001 (repeat for several); "
        "an exposed one takes its token as http://:TOKEN@host:port.",
    ),
    workers: str | None = typer.Option(
        None, "--workers", help="Several worker control URLs, comma-separated (fleet)."
    ),
    config_file: Path | None = typer.Option(
        None, "--config", help='JSON: {"node": URL, "workers": [URL, ...], "operator": URI}.'
    ),
    operator: str | None = typer.Option(
        None, "--operator", help="Secret URI of the operator account (pays fees)."
    ),
    owner: str | None = typer.Option(
        None,
        "--owner",
        help="Account (SS58 or 0x) the workers must be configured with as operator (their "
        "--operator); a worker configured otherwise is refused. Default: accept the worker's.",
    ),
    refresh: float = typer.Option(
        DEFAULT_REFRESH_S, "--refresh", min=1, help="Seconds between re-registrations."
    ),
    batch: int = typer.Option(
        DEFAULT_BATCH, "--batch", min=1, max=1000, help="Blocks per sync request."
    ),
    state: Path | None = typer.Option(
        None, "--state", help="File persisting each worker's synced height."
    ),
    register: bool = typer.Option(
        True, "--register/--no-register", help="Also register the workers."
    ),
    once: bool = typer.Option(
        False, "--once", help="Register and publish once, then exit (non-zero on refusal)."
    ),
    as_json: bool = typer.Option(False, "--json", help="With --once: print one JSON object."),
    log_json: bool = typer.Option(False, "--log-json", help="Write logs as JSON lines."),
) -> None:
    """Register workers, keep them synced with verified block data, and relay their messages.

    Example (fleet): `khala relayer --node URL --workers URL1,URL2 --operator //Alice`
    """
    configure_logging(as_json=log_json)
    with reported_errors(as_json=as_json):
        settings: dict[str, object] = {}
        if config_file is not None:
            try:
                settings = json.loads(read_file(config_file))
            except ValueError as error:
                raise CliError(
                    CliErrorCode.FILE_NOT_FOUND, f"{config_file} is not JSON: {error}"
                ) from None
        node_url = node or settings.get("node")
        operator_uri = operator or settings.get("operator")
        urls = [
            *worker,
            *(workers.split(",") if workers else []),
            *_as_list(settings.get("workers")),
        ]
        if not isinstance(node_url, str) or not isinstance(operator_uri, str) or not urls:
            raise typer.BadParameter(
                "give --node, --operator and at least one worker (or --config)"
            )
        service = RelayerService(
            RelayerServiceConfig(
                node_url,
                tuple(urls),
                signer(operator_uri),
                None if owner is None else account_id(owner),
                refresh,
                batch,
                state,
                register,
            )
        )
        if once:
            results = asyncio.run(service.register_once())
            payload = {
                "registered_in_blocks": [registered.block_number for registered, _ in results],
                "registered_in_block": results[0][0].block_number,
                "endpoint_in_block": results[0][1].block_number,
            }
            emit(payload, as_json=as_json, text=lambda: f"registered {len(results)} worker(s)")
            return
        run_until_signal(service.run())


def _as_list(value: object) -> list[str]:
    """The ``workers`` entry of a config file as a list of URLs."""
    return [str(item) for item in value] if isinstance(value, list) else []
