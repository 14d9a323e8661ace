"""``khala cluster``: several nodes, one chain, on this machine (etcd-ordered engine)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer

from khala.cli.output import emit, parse_hex32, reported_errors
from khala.devnet.cluster import DEFAULT_CLUSTER_DIRECTORY, ClusterOptions, run
from khala.node.etcd.gateway import GatewayEtcd
from khala.node.etcd.settings import ClusterError, ClusterErrorCode
from khala.node.etcd.status import ClusterStatus, chains, cluster_status

app = typer.Typer(
    help="Run a local clustered chain (`khala cluster up`) or look at any clustered chain "
    "(`khala cluster status`).",
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


@app.command("status")
def status(
    etcd_endpoints: str = typer.Option(
        "http://127.0.0.1:2379",
        "--etcd-endpoints",
        help="Client URLs of the etcd members, comma-separated (as the nodes were given).",
    ),
    genesis_hash: str | None = typer.Option(
        None, "--genesis-hash", help="The chain (0x…), when etcd holds several."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Show a clustered chain: leader, log tip and votes, each member's head and finality.

    The leader and its term, the highest block etcd holds and how many authorities voted on
    it come from etcd; each member's head and finalized block from its own RPC. Works on any
    etcd-engine chain, local or on several machines; it only reads.

    Example: `khala cluster status --etcd-endpoints http://10.0.0.1:2379,http://10.0.0.2:2379`
    """
    with reported_errors(as_json=as_json):
        endpoints = [url.strip() for url in etcd_endpoints.split(",") if url.strip()]
        wanted = (
            None
            if genesis_hash is None
            else parse_hex32(
                genesis_hash,
                f"--genesis-hash {genesis_hash!r}: give the chain's 0x-hex genesis hash",
            )
        )
        found = asyncio.run(_status(endpoints, wanted))
        emit(_status_json(found), as_json=as_json, text=lambda: _status_text(found))


async def _status(endpoints: list[str], wanted: bytes | None) -> ClusterStatus:
    etcd = GatewayEtcd(endpoints)
    try:
        known = await chains(etcd)
        if wanted is None and len(known) == 1:
            wanted = known[0]
        if wanted is None or wanted not in known:
            listed = ", ".join("0x" + chain.hex() for chain in known) or "none"
            raise ClusterError(
                ClusterErrorCode.UNKNOWN_CHAIN,
                f"etcd holds these chains: {listed}; pass --genesis-hash with one of them",
            )
        return await cluster_status(etcd, wanted)
    finally:
        await etcd.close()


def _status_json(found: ClusterStatus) -> dict[str, Any]:
    leader = found.leader
    return {
        "genesis_hash": "0x" + found.genesis_hash.hex(),
        "leader": None if leader is None else {"authority": "0x" + leader.authority,
                                               "rpc": leader.rpc_url, "term": found.term},
        "log_tip": found.log_tip,
        "tip_votes": found.tip_votes,
        "members": [
            {"node": "0x" + member.node.hex(), "rpc": member.rpc_url, "head": member.head,
             "finalized": member.finalized, "error": member.error}
            for member in found.members
        ],
    }  # fmt: skip


def _status_text(found: ClusterStatus) -> str:
    leader = found.leader
    lines = [
        f"chain 0x{found.genesis_hash.hex()}",
        "leader: none right now"
        if leader is None
        else f"leader: 0x{leader.authority[:16]}… at {leader.rpc_url} (term {found.term})",
        "log: empty"
        if found.log_tip is None
        else f"log tip: #{found.log_tip} ({found.tip_votes} votes so far)",
    ]
    for member in found.members:
        mark = "*" if leader is not None and leader.authority == member.node.hex() else " "
        state = (
            f"unreachable: {member.error}"
            if member.head is None
            else f"head #{member.head}, finalized #{member.finalized}"
        )
        lines.append(f" {mark} 0x{member.node.hex()[:16]}…  {member.rpc_url}  {state}")
    return "\n".join(lines)
