"""``khala devnet``: the whole network on one machine with one command."""

from __future__ import annotations

from pathlib import Path

import typer

from khala.cli.output import reported_errors
from khala.devnet.layout import DEFAULT_DIRECTORY
from khala.devnet.service import DevnetOptions, run


def devnet(
    workers: int = typer.Option(3, "--workers", min=1, max=16, help="Mining workers to run."),
    block_time: float = typer.Option(1.0, "--block-time", min=0.2, help="Seconds between blocks."),
    fresh: bool = typer.Option(False, "--fresh", help="Delete the devnet and start over."),
    console: bool = typer.Option(
        True, "--console/--no-console", help="Serve the web console (http://127.0.0.1:8080)."
    ),
    json_status: bool = typer.Option(
        False, "--json-status", help="Print one JSON status line per second instead of a view."
    ),
    nodes: int = typer.Option(
        1,
        "--nodes",
        min=1,
        max=6,
        help="Chain nodes: 1 (the dev engine) or more, each an authority, ordered by as many "
        "etcd members (needs etcd; see docs/cluster.md). Fixed when the devnet is created.",
    ),
    directory: Path = typer.Option(
        DEFAULT_DIRECTORY, "--dir", help="Where the devnet keeps its chain, keys and logs."
    ),
) -> None:
    """Run a node, 2 gatekeepers, N workers, the relayer and the console, seeded and watched.

    The network is seeded on first start: dev accounts funded, //Bob's pool (10 % commission,
    a cap) with //Eve and //Ferdie contributing, the workers in it and started once mining is
    enabled by a scheduled call a few blocks after start; a crowdloan account (//Crowdloan)
    vesting. Ctrl-C stops everything; running it again resumes the same network; `--fresh`
    starts over. Logs: DIR/logs/<process>.log.
    """
    with reported_errors(as_json=json_status):
        run(DevnetOptions(directory, workers, block_time, fresh, console, json_status, nodes))
