"""The ``khala`` entry point: mounts every command group."""

from __future__ import annotations

import typer

from khala import __version__
from khala.cli import (
    attestation,
    bench,
    chain,
    cluster,
    console,
    contract,
    devnet,
    estimate,
    gatekeeper,
    gov,
    key,
    mining,
    node,
    pool,
    query,
    relayer,
    spec,
    stake,
    treasury,
    tx,
    vault,
    vesting,
    worker,
)

app = typer.Typer(
    name="khala",
    help="khala: a trustless confidential-computing cloud (chain, TEE workers, gatekeepers).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
app.add_typer(spec.app, name="spec")
app.add_typer(bench.app, name="bench")
app.add_typer(node.app, name="node")
app.add_typer(cluster.app, name="cluster")
app.command("devnet")(devnet.devnet)
app.command("console")(console.console)
app.add_typer(key.app, name="key")
app.add_typer(tx.app, name="tx")
app.add_typer(query.app, name="query")
app.add_typer(chain.app, name="chain")
app.add_typer(attestation.app, name="attestation")
app.add_typer(worker.app, name="worker")
app.command("relayer")(relayer.relayer)
app.add_typer(gov.app, name="gov")
app.add_typer(mining.app, name="mining")
app.add_typer(gatekeeper.app, name="gatekeeper")
app.add_typer(pool.app, name="pool")
app.add_typer(stake.app, name="stake")
app.add_typer(vault.app, name="vault")
app.add_typer(contract.app, name="contract")
app.add_typer(vesting.app, name="vesting")
app.add_typer(treasury.app, name="treasury")
mining.app.command("estimate")(estimate.estimate_command)
worker.app.command("start-computing")(mining.start_computing)
worker.app.command("stop-computing")(mining.stop_computing)
worker.app.command("reclaim")(mining.reclaim)


@app.command("version")
def version() -> None:
    """Print the khala version."""
    typer.echo(__version__)


def main() -> None:
    """Run the command line (the ``khala`` console script)."""
    app()
