"""``khala worker``: run a worker, or look at registered workers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.logs import configure_logging
from khala.cli.output import emit, progress, reported_errors
from khala.cli.signals import run_until_signal
from khala.primitives.ss58 import ss58_encode
from khala.runtime.modules.registry.types import WorkerInfo
from khala.sdk import Client, SdkError, SdkErrorCode
from khala.sdk.core import account_id
from khala.sdk.mining import overview
from khala.sdk.waiting import NotYet, wait_until
from khala.sdk.worker_api import HttpWorkerApi, WorkerStatus
from khala.worker.config import EnclaveKind, WorkerConfig
from khala.worker.service import WorkerService

app = typer.Typer(
    help="Run a worker (with --node ...), or list and show registered workers.",
    invoke_without_command=True,
    rich_markup_mode="markdown",
)


@app.callback()
def run(
    ctx: typer.Context,
    node: str | None = typer.Option(
        None, "--node", help="The chain node's RPC URL (ws:// or http://)."
    ),
    base_path: Path | None = typer.Option(None, "--base-path", help="Where the sealed keys live."),
    enclave: EnclaveKind = typer.Option(
        EnclaveKind.SIMULATED, "--enclave", help="Enclave backend."
    ),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Public API port (/info)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Public API interface."),
    operator: str | None = typer.Option(
        None,
        "--operator",
        help="Account (SS58 or 0x) the worker registers as its operator, who may bind it and "
        "start computing. Sealed with the worker's identity: later starts may omit it.",
    ),
    public_url: str | None = typer.Option(
        None, "--public-url", help="Public API URL published on chain (default http://HOST:PORT)."
    ),
    control_host: str = typer.Option(
        "127.0.0.1",
        "--control-host",
        help="Control API interface (registration, sync, egress for the relayer). Loopback by "
        "default; on any other interface it requires the token in BASE_PATH/control.token.",
    ),
    control_port: int | None = typer.Option(
        None, "--control-port", min=0, max=65535, help="Control API port (default: --port + 1)."
    ),
    dev_pki: Path | None = typer.Option(
        None,
        "--dev-pki",
        help="Dev PKI shared with the dev chain (simulated enclave). Default: BASE_PATH/dev-pki.",
    ),
    machine_id: str = typer.Option(
        "khala-worker", "--machine-id", help="Identifier of this machine."
    ),
    checkpoint_interval: int = typer.Option(
        100, "--checkpoint-interval", min=1, help="Blocks between sealed checkpoints (5 are kept)."
    ),
    benchmark_duty: float = typer.Option(
        1.0,
        "--benchmark-duty",
        min=0.01,
        max=1.0,
        help="Fraction of time the benchmark loop runs: 1.0 on a dedicated machine; dev "
        "networks sharing one machine use less (the score scales with it).",
    ),
    gatekeeper: bool = typer.Option(
        False,
        "--gatekeeper",
        help="Also act as a gatekeeper: replay the economics from genesis, hold the master key "
        "once governance registers this worker as a gatekeeper, and send settlements.",
    ),
    from_snapshot: str | None = typer.Option(
        None,
        "--from-snapshot",
        help="Start from a snapshot instead of replaying from genesis, when the worker has no "
        "checkpoint yet: a FILE, running nodes' RPC URLs (comma-separated), or `node` to "
        "download it from the --node it syncs from. Always verified (chain, authority sets, "
        "justification, state root). Not for gatekeepers.",
    ),
    log_json: bool = typer.Option(False, "--log-json", help="Write logs as JSON lines."),
) -> None:
    """Run a worker; its relayer talks to its control API (port 8001 by default).

    Example: `khala worker --node ws://127.0.0.1:9944 --base-path w1 --port 8000 --operator ADDR`
    """
    if ctx.invoked_subcommand is not None:
        return
    configure_logging(as_json=log_json)
    with reported_errors(as_json=False):
        if node is None or base_path is None:
            raise typer.BadParameter("a worker needs --node and --base-path", param_hint="--node")
        config = WorkerConfig(
            node,
            base_path,
            enclave,
            port,
            host=host,
            operator=None if operator is None else account_id(operator),
            public_url=public_url,
            control_host=control_host,
            control_port=control_port,
            dev_pki=dev_pki,
            machine_id=machine_id,
            checkpoint_interval=checkpoint_interval,
            benchmark_duty=benchmark_duty,
            gatekeeper=gatekeeper,
            from_snapshot=from_snapshot,
        )
        run_until_signal(WorkerService(config).run())


def _worker_json(info: WorkerInfo, gatekeepers: set[bytes]) -> dict[str, Any]:
    return {
        "pubkey": "0x" + info.pubkey.hex(),
        "gatekeeper": bytes(info.pubkey) in gatekeepers,
        "ecdh_pubkey": "0x" + info.ecdh_pubkey.hex(),
        "runtime_version": info.runtime_version,
        "last_updated": info.last_updated,
        "operator": None if info.operator is None else ss58_encode(bytes(info.operator)),
        "confidence_level": info.confidence_level,
        "initial_score": info.initial_score,
        "features": info.features,
    }


def _gatekeepers(client: Client) -> set[bytes]:
    return set(overview(client).gatekeepers)


@app.command("list")
def list_workers(url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """List registered workers: gatekeepers marked, confidence levels, SS58 operators."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        gatekeepers = _gatekeepers(client)
        workers = [_worker_json(info, gatekeepers) for info in client.workers()]
        emit(
            {"workers": workers},
            as_json=as_json,
            text=lambda: (
                "\n".join(
                    f"{item['pubkey']}  {'gatekeeper' if item['gatekeeper'] else 'worker    '}"
                    f"  confidence {item['confidence_level']}  operator {item['operator']}"
                    for item in workers
                )
                or "no workers registered"
            ),
        )


@app.command("show")
def show(
    pubkey: str = typer.Argument(..., help="The worker's 0x identity public key."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one registered worker."""
    with reported_errors(as_json=as_json):
        try:
            key = bytes.fromhex(pubkey.removeprefix("0x"))
        except ValueError:
            raise typer.BadParameter("a worker key is 0x followed by 64 hex digits") from None
        client = Client(url)
        info = client.worker(key)
        if info is None:
            raise SdkError(SdkErrorCode.NOT_FOUND, f"no worker {pubkey} is registered")
        shown = _worker_json(info, _gatekeepers(client))
        emit(
            shown,
            as_json=as_json,
            text=lambda: "\n".join(f"{key:16} {value}" for key, value in shown.items()),
        )


def _worker_status(url: str) -> WorkerStatus | NotYet:
    async def ask() -> WorkerStatus:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            return await HttpWorkerApi(url, session).info()

    try:
        return asyncio.run(ask())
    except SdkError as error:
        if error.code is SdkErrorCode.RPC_ERROR and "HTTP 503" in error.message:
            return NotYet(f"the worker at {url} is starting (waiting for its node)")
        raise


@app.command("info")
def info(
    api: str = typer.Argument(..., help="The worker's API URL, e.g. http://127.0.0.1:8000."),
    pubkey_only: bool = typer.Option(
        False, "--pubkey", help="Print only its public key (for scripts: GK=$(khala worker ...))."
    ),
    wait: float = typer.Option(
        0, "--wait", min=0, help="Seconds to wait for the worker to answer (0: ask once)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Ask a running worker about itself: public key, synced height, mining, gatekeeper.

    This is how an operator finds a worker's or gatekeeper's public key (what
    `khala gov register-gatekeeper` and `khala worker start-computing` take).
    Example: `W1=$(khala worker info http://127.0.0.1:8010 --pubkey --wait 60)`
    """
    with reported_errors(as_json=as_json):
        status = wait_until(lambda: _worker_status(api), wait, on_wait=progress)
        key = "0x" + status.pubkey.hex()
        if pubkey_only:
            emit({"pubkey": key}, as_json=as_json, text=lambda: key)
            return
        raw = status.raw
        mining = raw.get("mining") or {}
        keeper = raw.get("gatekeeper")
        emit(
            raw,
            as_json=as_json,
            text=lambda: "\n".join(
                [
                    f"pubkey          {key}",
                    f"synced height   {status.synced_height}"
                    + ("  (behind)" if status.is_behind else ""),
                    f"mining          {mining.get('phase', '-')}, "
                    f"{mining.get('heartbeats_sent', 0)} heartbeats sent",
                    "gatekeeper      "
                    + (
                        "no"
                        if not isinstance(keeper, dict)
                        else "holds the master key"
                        if keeper.get("holds_master_key")
                        else "waiting for the master key"
                    ),
                ]
            ),
        )
