"""``khala bench``: performance figures for docs/benchmarks.md (``make bench`` runs them all)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer

from khala.bench.attestation import run_attestation_benchmark
from khala.bench.cluster import run_cluster_benchmark
from khala.bench.codec import run_codec_benchmark
from khala.bench.contracts import run_contracts_benchmark
from khala.bench.devnet import run_devnet_benchmark
from khala.bench.growth import run_growth_benchmark
from khala.bench.pools import run_pools_benchmark
from khala.bench.rpc import run_rpc_benchmark
from khala.bench.snapshot import run_snapshot_benchmark
from khala.bench.sync import run_sync_benchmark
from khala.bench.tokenomics import run_tokenomics_benchmark
from khala.bench.transfers import run_transfer_benchmark
from khala.bench.trie import run_trie_benchmark
from khala.cli.output import emit, progress, reported_errors

app = typer.Typer(
    help="Measure performance (results go to docs/benchmarks.md).", no_args_is_help=True
)


def _table(figures: dict[str, object]) -> str:
    return "\n".join(f"{key:32} {value}" for key, value in figures.items() if key != "machine")


@app.command("codec")
def codec(
    rounds: int = typer.Option(15, min=1, help="Interleaved rounds per contender; best is kept."),
    round_seconds: float = typer.Option(0.15, min=0.01, help="Approximate length of one round."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Compare SCALE decode/encode of a 6-field struct with scalecodec, in the same run.

    Reports operations per second for both and the ratios ours / scalecodec.
    """
    with reported_errors(as_json=as_json):
        progress(f"codec: {rounds} interleaved rounds of ~{round_seconds}s per contender")
        figures = run_codec_benchmark(rounds=rounds, round_seconds=round_seconds)
        emit(figures, as_json=as_json, text=lambda: _table(figures))


@app.command("trie")
def trie(
    keys: int = typer.Option(100_000, min=2, help="Random 32-byte keys (64-byte values)."),
    dirty: int = typer.Option(1_000, min=2, help="Keys changed per incremental round."),
    rounds: int = typer.Option(3, min=1, help="Repetitions of each timed step."),
    proofs: int = typer.Option(2_000, min=1, help="Single-key proofs to verify."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Time the full root, incremental updates and proof verification of the state trie."""
    with reported_errors(as_json=as_json):
        figures = run_trie_benchmark(
            keys=keys, dirty=dirty, rounds=rounds, proofs=proofs, report=progress
        )
        emit(figures, as_json=as_json, text=lambda: _table(figures))


@app.command("cluster")
def cluster(
    count: int = typer.Option(4_000, "--transfers", min=3, help="Signed transfers per run."),
    senders: int = typer.Option(16, "--senders", min=3, help="Distinct sending accounts."),
    connections: int = typer.Option(
        6, "--connections", min=3, help="WebSocket clients, spread over the nodes."
    ),
    block_time: float = typer.Option(1.0, "--block-time", min=0.2, help="Block time of both runs."),
    etcd: str = typer.Option("etcd", "--etcd", help="The etcd executable."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Finalized transfers/s of a 3-node etcd cluster next to the dev engine, same run.

    Also the p50/p99 time from submission to finality in the cluster, and the failover gap
    (SIGKILL the leader; time until a follower's head moves again). Needs etcd.
    """
    with reported_errors(as_json=as_json):
        figures = run_cluster_benchmark(
            transfers=count,
            senders=senders,
            connections=connections,
            block_time_s=block_time,
            etcd_binary=etcd,
            report=progress,
        )
        emit(figures, as_json=as_json, text=lambda: json.dumps(figures, indent=2))


@app.command("transfers")
def transfers(
    count: int = typer.Option(20_000, "--transfers", min=1, help="Signed transfers to submit."),
    senders: int = typer.Option(32, "--senders", min=1, help="Distinct sending accounts."),
    connections: int = typer.Option(
        8, "--connections", min=1, help="Concurrent WebSocket clients."
    ),
    block_time: float = typer.Option(1.0, "--block-time", min=0.05, help="The node's block time."),
    accounts: str = typer.Option(
        "0",
        "--accounts",
        help="Extra accounts in genesis (the state's size), comma-separated for several runs "
        "in one invocation, e.g. 10000,1000000.",
    ),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, help="The benchmark node's RPC port (default: free)."
    ),
    batch: int = typer.Option(
        1,
        "--batch",
        min=1,
        max=100,
        help="Transactions per JSON-RPC batch message (1: one request per message).",
    ),
    baseline_src: Path | None = typer.Option(
        None,
        "--baseline-src",
        exists=True,
        file_okay=False,
        help="Also run each size against a node from this source tree (the src directory of "
        "a baseline commit, e.g. from git worktree), just before ours, and report the ratio.",
    ),
    rounds: int = typer.Option(
        1,
        "--rounds",
        min=1,
        max=9,
        help="Runs per size (with --baseline-src: baseline and ours alternating); the median "
        "run is reported, with every round's figures.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Measure end-to-end transfers/s: a real node, concurrent RPC clients, counted at finality.

    Also breaks block import time per 1,000 transfers into signatures, execution, trie and
    storage, and measures sr25519 verifications/s in the same run. With several `--accounts`
    sizes each gets its own node; the JSON then holds one entry per size under `runs`. This
    machine's speed drifts by 10-20 % between runs a minute apart: `--rounds 3` (or more)
    with `--baseline-src` compares the median of paired ratios.
    """
    with reported_errors(as_json=as_json):
        sizes = _sizes(accounts)
        runs = []
        for size in sizes:
            settings: dict[str, Any] = {
                "transfers": count,
                "senders": senders,
                "connections": connections,
                "block_time_s": block_time,
                "accounts": size,
                "port": port,
                "batch": batch,
                "report": progress,
            }
            played = []
            for round_number in range(1, rounds + 1):
                baseline = None
                if baseline_src is not None:
                    progress(f"round {round_number}/{rounds}: baseline node, {size:,} accounts")
                    baseline = run_transfer_benchmark(**settings, node_source=baseline_src)
                progress(f"round {round_number}/{rounds}: this node, {size:,} accounts")
                figures = run_transfer_benchmark(**settings)
                if baseline is not None:
                    figures["baseline_transfers_per_s"] = baseline["transfers_per_s"]
                    figures["ratio_to_baseline"] = round(
                        figures["transfers_per_s"] / baseline["transfers_per_s"], 3
                    )
                played.append(figures)
            runs.append(_median_round(played))
        figures = runs[0] if len(runs) == 1 else {"runs": runs}
        emit(figures, as_json=as_json, text=lambda: "\n\n".join(_table(run) for run in runs))


def _median_round(played: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the round with the median ratio (transfers/s without a baseline).

    The lower of the two middle rounds for an even count; every round's figures are listed
    under ``rounds`` when there were several.
    """
    key = "ratio_to_baseline" if "ratio_to_baseline" in played[0] else "transfers_per_s"
    ordered = sorted(played, key=lambda figures: float(figures[key]))
    median = dict(ordered[(len(ordered) - 1) // 2])
    if len(played) > 1:
        median["rounds"] = [
            {
                name: figures[name]
                for name in ("transfers_per_s", "baseline_transfers_per_s", "ratio_to_baseline")
                if name in figures
            }
            for figures in played
        ]
    return median


def _sizes(text: str) -> list[int]:
    """``--accounts``: comma-separated non-negative counts."""
    parts = [part.strip().replace("_", "") for part in text.split(",")]
    if not parts or not all(part.isdigit() for part in parts):
        raise typer.BadParameter(
            f"{text!r} is not a comma-separated list of account counts", param_hint="--accounts"
        )
    return [int(part) for part in parts]


@app.command("attestation")
def attestation(
    rounds: int = typer.Option(5, min=1, help="Interleaved rounds per contender; best is kept."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Compare quote verifications/s through the policy layer with bare dcap-qvl (same run)."""
    with reported_errors(as_json=as_json):
        progress(f"attestation: {rounds} interleaved rounds")
        figures = run_attestation_benchmark(rounds=rounds)
        emit(figures, as_json=as_json, text=lambda: _table(figures))


@app.command("growth")
def growth(
    node_blocks: int = typer.Option(
        5_000,
        "--node-blocks",
        min=3_001,
        help="Empty blocks the node authors (growth after 3,000).",
    ),
    transfer_blocks: int = typer.Option(
        100, "--transfer-blocks", min=1, help="Blocks of 100 transfers after the empty ones."
    ),
    worker_blocks: int = typer.Option(
        100_000, "--worker-blocks", min=10_001, help="Empty blocks the worker imports."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Disk and memory per 1,000 blocks: a pruned and an archive node, and a worker.

    The node's database bytes and RSS are measured past the pruning window and System.BlockHash's
    2,400 entries; the worker's RSS from block 10,000 to the last.
    """
    with reported_errors(as_json=as_json):
        progress(
            f"growth: nodes author {node_blocks} empty + {transfer_blocks} transfer blocks "
            f"(pruned, archive); a worker imports {worker_blocks} blocks (minutes)"
        )
        figures = run_growth_benchmark(
            node_blocks=node_blocks, transfer_blocks=transfer_blocks, worker_blocks=worker_blocks
        )
        emit(figures, as_json=as_json, text=lambda: _table(figures))


@app.command("rpc")
def rpc(
    clients: int = typer.Option(50, "--clients", min=1, help="Concurrent reading clients."),
    seconds: float = typer.Option(10.0, "--seconds", min=1.0, help="Length of each phase."),
    per_block: int = typer.Option(
        400, "--per-block", min=1, help="Transfers per block in the loaded phase."
    ),
    interval_ms: int = typer.Option(
        100, "--interval-ms", min=0, help="Each client's time between reads (0: back to back)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """RPC read latency (p50/p99/p99.9) of `state_getStorage`, idle and under authoring load.

    A real node process; the loaded phase feeds blocks of transfers every 2 s.
    """
    with reported_errors(as_json=as_json):
        progress(f"rpc: {clients} readers, {seconds:g} s idle then {seconds:g} s under load")
        figures = run_rpc_benchmark(
            clients=clients, seconds=seconds, per_block=per_block, interval_ms=interval_ms
        )
        emit(figures, as_json=as_json, text=lambda: _table(figures))


@app.command("snapshot")
def snapshot(
    accounts: int = typer.Option(
        1_000_000, "--accounts", min=0, help="Extra accounts in the state."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Export and import a snapshot of a state of N accounts: seconds and bytes."""
    with reported_errors(as_json=as_json):
        progress(f"snapshot: building a state of {accounts:,} accounts (a minute per million)")
        figures = run_snapshot_benchmark(accounts=accounts)
        emit(figures, as_json=as_json, text=lambda: _table(figures))


@app.command("sync")
def sync(
    empty: int = typer.Option(10_000, "--empty", min=1, help="Empty blocks to import."),
    transfer_blocks: int = typer.Option(
        100, "--transfer-blocks", min=0, help="Blocks of transfers to import."
    ),
    per_block: int = typer.Option(100, "--per-block", min=1, help="Transfers per transfer block."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Measure verified catch-up into a worker (light client) and the worker's memory."""
    with reported_errors(as_json=as_json):
        progress(
            f"sync: authoring {empty} empty and {transfer_blocks} transfer blocks, then importing"
        )
        figures = run_sync_benchmark(
            empty=empty, transfer_blocks=transfer_blocks, per_block=per_block
        )
        emit(figures, as_json=as_json, text=lambda: _table(figures))


@app.command("tokenomics")
def tokenomics(
    workers: int = typer.Option(30_000, "--workers", min=1, help="Computing workers."),
    blocks: int = typer.Option(100, "--blocks", min=1, help="Blocks to simulate."),
    unresponsive: int = typer.Option(
        0,
        "--unresponsive-percent",
        min=0,
        max=100,
        help="Percent of workers that answer after the window (go unresponsive, recover).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Time the gatekeeper's per-block economics with N computing workers in steady state."""
    with reported_errors(as_json=as_json):
        progress(f"tokenomics: {workers} workers, {blocks} blocks, {unresponsive}% unresponsive")
        figures = run_tokenomics_benchmark(
            workers=workers, blocks=blocks, unresponsive_percent=unresponsive
        )
        emit(figures, as_json=as_json, text=lambda: _table(figures))


@app.command("pools")
def pools(
    pool_count: int = typer.Option(1_000, "--pools", min=1, help="Pools."),
    workers_per_pool: int = typer.Option(10, "--workers-per-pool", min=1, help="Workers each."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Contribute/withdraw per second in blocks; one block's settlements routed to pools."""
    with reported_errors(as_json=as_json):
        progress(
            f"pools: {pool_count} pools × {workers_per_pool} computing workers (setup takes a"
            " while), then contribute/withdraw blocks"
        )
        figures = run_pools_benchmark(pools=pool_count, workers_per_pool=workers_per_pool)
        emit(figures, as_json=as_json, text=lambda: _table(figures))


@app.command("devnet")
def devnet(
    workers: int = typer.Option(3, "--workers", min=1, help="Mining workers (the default)."),
    block_time: float = typer.Option(1.0, "--block-time", min=0.2, help="Seconds per block."),
    rounds: int = typer.Option(3, "--rounds", min=1, help="Fresh devnets to time."),
    timeout: float = typer.Option(300, "--timeout", min=10, help="Give up a round after this."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Seconds from `khala devnet` to the node answering, mining on and the first pool reward."""
    with reported_errors(as_json=as_json):
        figures = run_devnet_benchmark(
            workers=workers,
            block_time_s=block_time,
            rounds=rounds,
            timeout_s=timeout,
            report=progress,
        )
        emit(figures, as_json=as_json, text=lambda: _table(figures))


@app.command("contracts")
def contracts(
    shared: Path = typer.Option(
        Path(os.environ.get("KHALA_SHARED", "../shared")),
        "--shared",
        help="The shared vectors folder holding ink-contracts/v4_flipper.{wasm,json}.",
    ),
    queries: int = typer.Option(3000, min=10, help="Encrypted queries to send."),
    clients: int = typer.Option(16, min=1, help="Concurrent HTTP clients."),
    commands: int = typer.Option(500, min=1, help="Encrypted commands to apply."),
    slots: int = typer.Option(2, min=1, help="Queries the worker runs at once."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Encrypted queries/s per worker (flipper get), commands per block, instantiate times."""
    with reported_errors(as_json=as_json):
        progress(f"contracts: {queries} queries from {clients} clients, {commands} commands")
        figures = run_contracts_benchmark(
            shared, queries=queries, clients=clients, commands=commands, slots=slots
        )
        emit(figures, as_json=as_json, text=lambda: _table(figures))
