"""``khala node``: run a chain node."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from khala.cli.logs import configure_logging
from khala.cli.output import emit, progress, reported_errors
from khala.cli.signals import run_until_signal
from khala.node.rpc.policy import LOCALHOST_ORIGINS, parse_cors
from khala.node.service import NodeConfig, NodeService, load_genesis, open_store
from khala.node.snapshot_ops import (
    SnapshotSummary,
    export_snapshot,
    import_snapshot,
    inspect_snapshot,
)
from khala.node.storage import DEFAULT_STATE_PRUNING, ChainStore
from khala.snapshot.download import download_snapshot, is_url

app = typer.Typer(
    help="Run a chain node, or export / import state snapshots (`khala node --help`).",
    invoke_without_command=True,
    rich_markup_mode="markdown",
)


@app.callback()
def node(
    ctx: typer.Context,
    dev: bool = typer.Option(
        False, "--dev", help="Run the development chain (built-in dev genesis, //Alice authority)."
    ),
    base_path: Path | None = typer.Option(
        None,
        "--base-path",
        help="Directory for the chain database. Restarting with the same path resumes the chain. "
        "Without it the chain lives in memory.",
    ),
    rpc_port: int = typer.Option(
        9944, "--rpc-port", min=0, max=65535, help="JSON-RPC port (HTTP + WS)."
    ),
    rpc_host: str = typer.Option("127.0.0.1", "--rpc-host", help="Interface to listen on."),
    block_time: float | None = typer.Option(
        None,
        "--block-time",
        min=0.05,
        help="Seconds between blocks (default: 2 in dev, 12 in khala).",
    ),
    instant_seal: bool = typer.Option(
        False, "--instant-seal", help="Author a block as soon as a transaction arrives."
    ),
    genesis: Path | None = typer.Option(
        None, "--genesis", help="Genesis config JSON (see docs/node.md); default: the dev genesis."
    ),
    dev_pki: Path | None = typer.Option(
        None,
        "--dev-pki",
        help="Dev PKI directory shared with simulated workers (created on first use); the dev "
        "genesis trusts its root. Default: BASE_PATH/dev-pki with --dev and --base-path.",
    ),
    authority: str = typer.Option(
        "//Alice", "--authority", help="Secret URI of this node's ed25519 authority key."
    ),
    fresh: bool = typer.Option(
        False,
        "--fresh",
        help="Delete the chain database under --base-path and start a new chain from genesis "
        "(a damaged or unwanted database is never replaced silently).",
    ),
    rpc_cors: str = typer.Option(
        ",".join(LOCALHOST_ORIGINS),
        "--rpc-cors",
        help="Browser origins allowed to use the RPC, comma-separated (`*` for any port), or "
        "`all`. Pages from other origins get HTTP 403. Non-browser clients are not affected.",
    ),
    state_pruning: str = typer.Option(
        str(DEFAULT_STATE_PRUNING),
        "--state-pruning",
        help="Keep the state of the last N blocks (older states are deleted; blocks are all "
        "kept), or `archive` to keep every state.",
    ),
    db_max_size: str = typer.Option(
        "1TiB",
        "--db-max-size",
        help="Largest the chain database may grow (e.g. 64GiB); the node stops with "
        "storage.full when it is reached.",
    ),
    from_snapshot: str | None = typer.Option(
        None,
        "--from-snapshot",
        help="Start from a verified snapshot when the base path holds no chain yet (ignored "
        "once it does): a snapshot FILE, or running nodes' RPC URLs, comma-separated "
        "(http://PEER:9944), to download their finalized snapshot from the first that serves.",
    ),
    serve_snapshots: bool = typer.Option(
        True,
        "--serve-snapshots/--no-serve-snapshots",
        help="Answer GET /snapshot on the RPC port with this node's finalized snapshot, for "
        "nodes joining with --from-snapshot URL (exported on demand, at most every 256 "
        "finalized blocks).",
    ),
    engine: str = typer.Option(
        "dev",
        "--engine",
        help="`dev`: this node seals and finalizes every block alone. `etcd`: several nodes, "
        "blocks ordered by an etcd cluster and final once more than 2/3 of the authorities "
        "co-signed them (see docs/cluster.md).",
    ),
    etcd_endpoints: str = typer.Option(
        "",
        "--etcd-endpoints",
        help="Client URLs of the etcd members, comma-separated (with --engine etcd), e.g. "
        "http://127.0.0.1:2379,http://127.0.0.1:22379.",
    ),
    etcd_connect_timeout: float = typer.Option(
        30.0,
        "--etcd-connect-timeout",
        min=0.1,
        help="Seconds a starting node waits for any etcd member before it stops with "
        "etcd.unavailable (later outages are waited out).",
    ),
    authority_key: Path | None = typer.Option(
        None,
        "--authority-key",
        help="A file holding this node's ed25519 authority secret URI (mnemonic, 0x seed or "
        "//Dev path); overrides --authority, keeps the secret out of the process list.",
    ),
    dev_authorities: int = typer.Option(
        1,
        "--dev-authorities",
        min=1,
        max=6,
        help="Authorities of the dev genesis: //Alice, //Bob, ... (3 for a local cluster).",
    ),
    advertise_url: str | None = typer.Option(
        None,
        "--advertise-url",
        help="The RPC URL other nodes forward transactions to (default http://RPC_HOST:PORT).",
    ),
    signature_processes: int | None = typer.Option(
        None,
        "--signature-processes",
        min=0,
        max=16,
        help="Child processes that verify submitted transactions' signatures beside the node's "
        "event loop (0: verify on it). Default: 1 on a machine with two cores or more, else 0.",
    ),
    log_json: bool = typer.Option(False, "--log-json", help="Write logs as JSON lines."),
) -> None:
    """Run a khala chain node with JSON-RPC on one port (HTTP and WebSocket).

    Example: `khala node --dev --base-path .khala --rpc-port 9944`. With a subcommand
    (`export-snapshot`, `import-snapshot`) the options select the chain and base path instead.
    """
    with reported_errors(as_json=False):
        if not dev and genesis is None and ctx.invoked_subcommand is None:
            raise typer.BadParameter("pass --dev or --genesis FILE", param_hint="--dev")
        if block_time is not None and instant_seal:
            raise typer.BadParameter(
                "choose --block-time or --instant-seal", param_hint="--instant-seal"
            )
        if engine not in ("dev", "etcd"):
            raise typer.BadParameter(f"{engine!r} is not `dev` or `etcd`", param_hint="--engine")
        endpoints = tuple(url.strip() for url in etcd_endpoints.split(",") if url.strip())
        if engine == "etcd" and not endpoints:
            raise typer.BadParameter(
                "--engine etcd needs the etcd members' URLs", param_hint="--etcd-endpoints"
            )
        if engine == "etcd" and instant_seal:
            raise typer.BadParameter(
                "the etcd engine builds blocks on a timer", param_hint="--instant-seal"
            )
        if authority_key is not None:
            authority = _read_secret(authority_key)
        config = NodeConfig(
            base_path=base_path,
            rpc_host=rpc_host,
            rpc_port=rpc_port,
            block_time_s=block_time,
            instant_seal=instant_seal,
            authority_uri=authority,
            genesis_file=genesis,
            dev_pki=dev_pki or (base_path / "dev-pki" if dev and base_path is not None else None),
            rpc_cors=_cors(rpc_cors),
            fresh=fresh,
            state_pruning=_pruning(state_pruning),
            db_max_size=_size(db_max_size),
            engine=engine,
            etcd_endpoints=endpoints,
            dev_authorities=dev_authorities,
            advertise_url=advertise_url,
            serve_snapshots=serve_snapshots,
            etcd_connect_timeout_s=etcd_connect_timeout,
            signature_processes=signature_processes,
        )
        if ctx.invoked_subcommand is not None:
            ctx.obj = config
            return
        configure_logging(as_json=log_json)
        if from_snapshot is not None:
            _start_from_snapshot(config, from_snapshot)
        run_until_signal(NodeService(config).run())


@app.command("export-snapshot")
def export_snapshot_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Where to write the snapshot."),
    at: str = typer.Option(
        "finalized", "--at", help="`finalized`, or a block number whose state is still kept."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Write a finalized state with its header and justification (for fast sync).

    Example: `khala node --dev --base-path .khala export-snapshot --at finalized chain.snap`
    """
    config: NodeConfig = ctx.obj
    with reported_errors(as_json=as_json):
        store = _store(config)
        try:
            block = None if at == "finalized" else _block_number(at)
            genesis = load_genesis(config.genesis_file, config.dev_pki, config.dev_authorities)
            summary = export_snapshot(store, genesis, file, progress, block)
        finally:
            store.close()
        emit(_summary(summary, file), as_json=as_json, text=lambda: f"exported {file}")


@app.command("import-snapshot")
def import_snapshot_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The snapshot to verify and import."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Verify a snapshot (chain, justification, state root, checksum) and start from it.

    Then run `khala node` with the same options to continue from the snapshot's block.

    Example: `khala node --dev --base-path /srv/khala import-snapshot chain.snap`
    """
    config: NodeConfig = ctx.obj
    with reported_errors(as_json=as_json):
        store = _store(config)
        try:
            genesis = load_genesis(config.genesis_file, config.dev_pki, config.dev_authorities)
            summary = import_snapshot(store, genesis, file, progress)
        finally:
            store.close()
        emit(_summary(summary, file), as_json=as_json, text=lambda: f"imported {file}")


@app.command("inspect-snapshot")
def inspect_snapshot_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The snapshot to check."),
    full: bool = typer.Option(
        False, "--full", help="Also read every item and check the state root and checksum."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Check a snapshot against this chain without importing it, and describe it.

    The chain, the authority-set changes and the block's justification are always verified;
    `--full` also rebuilds the state root from every item (no state is kept).

    Example: `khala node --dev --dev-pki .khala/dev-pki inspect-snapshot chain.snap --full`
    """
    config: NodeConfig = ctx.obj
    with reported_errors(as_json=as_json):
        genesis = load_genesis(config.genesis_file, config.dev_pki, config.dev_authorities)
        info = inspect_snapshot(genesis, file, full=full, progress=progress)
        shown = {
            "file": str(file),
            "block": info.number,
            "hash": "0x" + info.block_hash.hex(),
            "state_root": "0x" + info.state_root.hex(),
            "set_changes": [
                {"block": block, "set_id": set_id} for block, set_id in info.set_changes
            ],
            "items": info.items,
            "bytes": info.bytes,
            "state_checked": info.state_checked,
        }
        emit(
            shown,
            as_json=as_json,
            text=lambda: (
                f"{file}: block #{info.number} 0x{info.block_hash.hex()}, "
                f"{info.items:,} items, {len(info.set_changes)} set changes; verified"
                + (" with its state" if full else " (head; --full for the state)")
            ),
        )


def _store(config: NodeConfig) -> ChainStore:
    if config.base_path is None:
        raise typer.BadParameter("snapshots need --base-path", param_hint="--base-path")
    return open_store(config.base_path, config.state_pruning, config.db_max_size)


def _start_from_snapshot(config: NodeConfig, source: str) -> None:
    """Import a snapshot file, or one downloaded from peers, into an empty base path."""
    store = _store(config)
    try:
        if store.best_hash() is not None:
            progress(f"the base path holds a chain already; --from-snapshot {source} is ignored")
            return
        genesis = load_genesis(config.genesis_file, config.dev_pki, config.dev_authorities)
        if not is_url(source):
            import_snapshot(store, genesis, Path(source), progress)
            return
        peers = [url.strip() for url in source.split(",") if url.strip()]
        downloaded = Path(config.base_path or ".") / "downloaded.snapshot"  # _store needs one
        try:
            asyncio.run(download_snapshot(peers, downloaded, progress))
            import_snapshot(store, genesis, downloaded, progress)
        finally:
            downloaded.unlink(missing_ok=True)
    finally:
        store.close()


def _read_secret(path: Path) -> str:
    """The secret URI in a key file (its first non-empty line)."""
    try:
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    except OSError as error:
        raise typer.BadParameter(
            f"cannot read {path}: {error.strerror}", param_hint="--authority-key"
        ) from None
    if not lines:
        raise typer.BadParameter(f"{path} holds no secret URI", param_hint="--authority-key")
    return lines[0]


def _block_number(text: str) -> int:
    if not text.isdigit():
        raise typer.BadParameter(
            f"{text!r} is neither `finalized` nor a block number", param_hint="--at"
        )
    return int(text)


def _summary(summary: SnapshotSummary, file: Path) -> dict[str, object]:
    return {
        "file": str(file),
        "block": summary.number,
        "hash": "0x" + summary.block_hash.hex(),
        "items": summary.items,
        "bytes": summary.bytes,
    }


def _pruning(text: str) -> int | None:
    """``archive`` or a positive number of blocks."""
    if text.strip().lower() == "archive":
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise typer.BadParameter(
            f"{text!r} is neither a number of blocks (at least 1) nor `archive`",
            param_hint="--state-pruning",
        )
    return int(text)


_SIZE_UNITS = {"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}
"""Byte units ``--db-max-size`` accepts (binary, as LMDB sizes are)."""


def _size(text: str) -> int:
    """``64GiB``, ``512MiB`` or a number of bytes."""
    cleaned = text.strip().lower().replace(" ", "")
    digits = cleaned.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = cleaned[len(digits) :]
    if not digits.isdigit() or unit not in _SIZE_UNITS or int(digits) == 0:
        raise typer.BadParameter(
            f"{text!r} is not a size like 64GiB, 512MiB or a number of bytes",
            param_hint="--db-max-size",
        )
    return int(digits) * _SIZE_UNITS[unit]


def _cors(text: str) -> tuple[str, ...] | None:
    try:
        return parse_cors(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--rpc-cors") from None
