"""``khala cluster``: several nodes, one chain, on this machine (etcd-ordered engine)."""

from __future__ import annotations

from pathlib import Path

import typer

from khala.cli.output import reported_errors
from khala.devnet.cluster import DEFAULT_CLUSTER_DIRECTORY, ClusterOptions, run

app = typer.Typer(
    help="Run a local clustered chain: etcd members and nodes on loopback (`khala cluster up`).",
    rich_markup_mode="markdown",
)


@app.command("up")
def up(
    nodes: int = typer.Option(
        3, "--nodes", min=1, max=6, help="Nodes (each an authority) and etcd members."
    ),
    block_time: float = typer.Option(2.0, "--block-time", min=0.2, help="Seconds between blocks."),
    fresh: bool = typer.Option(False, "--fresh", help="Delete the cluster and start over."),
    json_status: bool = typer.Option(
        False, "--json-status", help="Print one JSON status line per second."
    ),
    directory: Path = typer.Option(
        DEFAULT_CLUSTER_DIRECTORY, "--dir", help="Where the cluster keeps its data and logs."
    ),
    etcd: str = typer.Option("etcd", "--etcd", help="The etcd executable."),
) -> None:
    """Start N etcd members and N nodes with `--engine etcd` and watch them.

    Node i is authority //Alice, //Bob, ... of a dev genesis with N authorities and answers
    JSON-RPC on 127.0.0.1:9944+i (or a free port; the status lines say which). A block is
    final once more than 2/3 of the nodes signed it (all 3 of 3; 3 of 4). The leader is marked
    `*`; kill it (`kill -9`) to watch another take over within about 2 s while the supervisor
    restarts it. Ctrl-C stops everything; running it again resumes the chain; `--fresh`
    starts over. Logs: DIR/logs/<process>.log. Needs etcd (Debian: `apt-get install
    etcd-server`).
    """
    with reported_errors(as_json=json_status):
        run(ClusterOptions(directory, nodes, block_time, fresh, json_status, etcd))
