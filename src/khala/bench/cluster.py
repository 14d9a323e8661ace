"""Cluster benchmark: finalized transfers/s with 3 etcd-ordered nodes next to the dev engine.

In one run, on the same machine:

1. **dev engine**: one ``khala node`` process; ``transfers`` pre-signed transfers (each
   creating an account) submitted over ``connections`` WebSocket connections in JSON-RPC
   batches, counted when their block is finalized.
2. **cluster**: 3 etcd members and 3 ``khala node --engine etcd`` processes (a genesis with
   3 authorities); the same load spread over the three nodes, counted at finality (3 of 3
   signatures), with each transfer's time from submission to finality.
3. **failover**: the leader is killed with SIGKILL; the gap is the time until a follower's
   head moves again under the new leader.

Everything runs on loopback; on a 2-core machine the three nodes and three etcd members share
the cores, so the cluster's figure is what the consensus costs on one box, not across machines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp

from khala.bench.errors import BenchError, BenchErrorCode
from khala.bench.node_process import (
    POOL_FULL,
    POOL_FULL_BACKOFF_S,
    bench_genesis,
    bench_node,
    free_port,
    sign_transfers,
    wait_ready,
)
from khala.bench.timing import machine
from khala.node.etcd.client import prefix_end
from khala.node.etcd.gateway import GatewayEtcd
from khala.node.etcd.log import LeaderInfo, LogKeys
from khala.node.etcd.members import initial_cluster, member_args
from khala.primitives.hashing import blake2_256

BATCH = 50
"""Transfers per JSON-RPC batch (one WebSocket message)."""
NODES = 3
"""Nodes (and etcd members) of the benchmarked cluster."""
TAG = b"khala-bench-cluster"
"""Seeds the receivers' addresses (fresh accounts, distinct from the transfer benchmark's)."""


async def _drive(urls: list[str], batches: list[list[bytes]], timeout_s: float) -> dict[str, Any]:
    """Submit every list on its own connection, the connections spread over ``urls``.

    Returns the rate at finality (as ``urls[0]`` sees it) and the p50/p99 of each transfer's
    time from submission to finality.
    """
    total = sum(len(batch) for batch in batches)
    submitted: dict[bytes, float] = {}
    latencies: list[float] = []
    finished = asyncio.Event()
    async with aiohttp.ClientSession() as session:
        heads = await session.ws_connect(urls[0].replace("http", "ws"), max_msg_size=0)
        await heads.send_json(
            {"jsonrpc": "2.0", "id": 0, "method": "chain_subscribeFinalizedHeads", "params": []}
        )
        await heads.receive_json()

        async def count() -> None:
            async for message in heads:
                header = json.loads(message.data).get("params", {}).get("result")
                if not header:
                    continue
                block_hash = await _rpc(session, urls[0], "chain_getBlockHash", header["number"])
                block = await _rpc(session, urls[0], "chain_getBlock", block_hash)
                now = time.perf_counter()
                for extrinsic in block["block"]["extrinsics"]:
                    sent = submitted.get(blake2_256(bytes.fromhex(extrinsic[2:])))
                    if sent is not None:
                        latencies.append(now - sent)
                if len(latencies) >= total:
                    finished.set()
                    return

        async def client(url: str, transactions: list[bytes]) -> None:
            async with session.ws_connect(url.replace("http", "ws"), max_msg_size=0) as socket:
                for start in range(0, len(transactions), BATCH):
                    group = transactions[start : start + BATCH]
                    sent_at = time.perf_counter()
                    for raw in group:
                        submitted[blake2_256(raw)] = sent_at
                    await _submit(socket, group, start)

        counter = asyncio.create_task(count())
        start = time.perf_counter()
        await asyncio.gather(
            *(client(urls[index % len(urls)], batch) for index, batch in enumerate(batches))
        )
        try:
            await asyncio.wait_for(finished.wait(), timeout_s)
        except TimeoutError:
            raise BenchError(
                BenchErrorCode.BASELINE_DISAGREES,
                f"only {len(latencies)} of {total} transfers finalized in time",
            ) from None
        end = time.perf_counter()
        counter.cancel()
        await heads.close()
    latencies.sort()
    return {
        "transfers": total,
        "elapsed_s": round(end - start, 3),
        "finalized_transfers_per_s": round(total / (end - start), 1),
        "finality_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "finality_p99_ms": round(
            latencies[min(len(latencies) - 1, len(latencies) * 99 // 100)] * 1000, 1
        ),
    }


async def _submit(socket: aiohttp.ClientWebSocketResponse, group: list[bytes], first: int) -> None:
    """Send one batch, resending what a full pool refused (1016); any other refusal fails."""
    pending = [
        {"jsonrpc": "2.0", "id": first + index, "method": "author_submitExtrinsic",
         "params": ["0x" + raw.hex()]}
        for index, raw in enumerate(group)
    ]  # fmt: skip
    while pending:
        await socket.send_json(pending)
        replies = {reply.get("id"): reply for reply in await socket.receive_json()}
        retry = []
        for request in pending:
            error = replies.get(request["id"], {}).get("error")
            if error is not None and error.get("code") == POOL_FULL:
                retry.append(request)
            elif error is not None:
                raise BenchError(BenchErrorCode.BASELINE_DISAGREES, f"submission refused: {error}")
        pending = retry
        if pending:
            await asyncio.sleep(POOL_FULL_BACKOFF_S)


async def _rpc(session: aiohttp.ClientSession, url: str, method: str, *params: Any) -> Any:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    async with session.post(url, json=body) as response:
        return (await response.json())["result"]


@contextlib.contextmanager
def _local_cluster(
    scratch: Path, block_time_s: float, etcd_binary: str
) -> Iterator[tuple[list[str], list[str], list[subprocess.Popen[bytes]]]]:
    """Start 3 etcd members and 3 etcd-engine nodes on ``scratch/genesis.json``.

    Yields the node URLs, the etcd endpoints and the node processes; stops everything after.
    """
    binary = shutil.which(etcd_binary)
    if binary is None:
        raise BenchError(
            BenchErrorCode.INVALID_PARAMETER,
            f"no {etcd_binary!r} executable; install etcd (Debian: apt-get install etcd-server)",
        )
    ports = [(free_port(), free_port()) for _ in range(NODES)]
    members = initial_cluster([peer for _, peer in ports])
    endpoints = [f"http://127.0.0.1:{client}" for client, _ in ports]
    processes: list[subprocess.Popen[bytes]] = []
    nodes: list[subprocess.Popen[bytes]] = []
    log = (scratch / "cluster.log").open("wb")
    try:
        for index, (client, peer) in enumerate(ports):
            args = member_args(index, scratch / "etcd", client, peer, members, "khala-bench")
            processes.append(subprocess.Popen([binary, *args], stdout=log, stderr=log))  # noqa: S603
        urls = []
        for index in range(NODES):
            port = free_port()
            urls.append(f"http://127.0.0.1:{port}")
            node = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable, "-m", "khala", "node",
                    "--genesis", str(scratch / "genesis.json"),
                    "--base-path", str(scratch / f"n{index + 1}"), "--rpc-port", str(port),
                    "--block-time", str(block_time_s), "--engine", "etcd",
                    "--etcd-endpoints", ",".join(endpoints),
                    "--authority", f"//{('Alice', 'Bob', 'Charlie')[index]}",
                ],
                stdout=log, stderr=log,
            )  # fmt: skip
            processes.append(node)
            nodes.append(node)
        for url in urls:
            asyncio.run(wait_ready(url))
        yield urls, endpoints, nodes
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


async def _failover(
    urls: list[str], endpoints: list[str], nodes: list[subprocess.Popen[bytes]]
) -> float:
    """SIGKILL the leader; seconds until a follower holds the new leader's first block.

    The first block is the lowest log entry written after the new leader's term began (etcd
    revisions are global), so neither the old leader's last block nor a later block of the
    new leader is taken for it.
    """
    etcd = GatewayEtcd(endpoints)
    try:
        async with aiohttp.ClientSession() as session:
            genesis = await _rpc(session, urls[0], "chain_getBlockHash", 0)
            keys = LogKeys(bytes.fromhex(genesis[2:]))
            found = await etcd.get(keys.leader)
            leader = None if found is None else LeaderInfo.decode(found.value)
            if leader is None or found is None:
                raise BenchError(BenchErrorCode.BASELINE_DISAGREES, "the cluster has no leader")
            victim = urls.index(leader.rpc_url)
            follower = urls[(victim + 1) % len(urls)]
            before = int((await _rpc(session, follower, "chain_getHeader"))["number"], 16)
            nodes[victim].send_signal(signal.SIGKILL)
            killed = time.perf_counter()
            old_term = found.create_revision
            while True:
                current = await etcd.get(keys.leader)
                if current is not None and current.create_revision != old_term:
                    break
                await asyncio.sleep(0.02)
            new_term = current.create_revision
            first: int | None = None  # the first block the new leader appended
            while first is None:
                entries, _ = await etcd.range(keys.block(before), prefix_end(keys.blocks))
                newer = [
                    number
                    for entry in entries
                    if entry.mod_revision > new_term
                    and (number := keys.block_number(entry.key)) is not None
                ]
                if newer:
                    first = min(newer)
                else:
                    await asyncio.sleep(0.02)
            while int((await _rpc(session, follower, "chain_getHeader"))["number"], 16) < first:
                await asyncio.sleep(0.02)
            return time.perf_counter() - killed
    finally:
        await etcd.close()


def run_cluster_benchmark(
    *,
    transfers: int = 4_000,
    senders: int = 16,
    connections: int = 6,
    block_time_s: float = 1.0,
    etcd_binary: str = "etcd",
    report: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Measure the dev engine and a 3-node cluster on the same load, then a failover.

    Raises:
        BenchError: For bad parameters, a missing etcd, or a run that does not finalize.
    """
    if not transfers >= senders >= connections >= NODES:
        raise BenchError(
            BenchErrorCode.INVALID_PARAMETER, "need transfers >= senders >= connections >= 3"
        )
    timeout_s = max(120.0, transfers / 50)
    with tempfile.TemporaryDirectory(prefix="khala-bench-cluster-") as scratch_name:
        scratch = Path(scratch_name)
        (scratch / "dev").mkdir()
        (scratch / "cluster").mkdir()
        bench_genesis(scratch / "dev" / "genesis.json", senders)
        report("dev engine: one node")
        with bench_node(scratch / "dev", block_time_s=block_time_s) as url:
            single = asyncio.run(
                _drive([url], sign_transfers(url, transfers, senders, connections, TAG), timeout_s)
            )
        bench_genesis(scratch / "cluster" / "genesis.json", senders, authorities=NODES)
        report("cluster: 3 etcd members, 3 nodes")
        with _local_cluster(scratch / "cluster", block_time_s, etcd_binary) as (
            urls,
            endpoints,
            nodes,
        ):
            clustered = asyncio.run(
                _drive(
                    urls, sign_transfers(urls[0], transfers, senders, connections, TAG), timeout_s
                )
            )
            report("failover: SIGKILL the leader")
            gap = asyncio.run(_failover(urls, endpoints, nodes))
    ratio = clustered["finalized_transfers_per_s"] / single["finalized_transfers_per_s"]
    return {
        "machine": machine(),
        "block_time_s": block_time_s,
        "dev_engine": single,
        "cluster_3_nodes": clustered,
        "cluster_over_dev": round(ratio, 3),
        "failover_gap_s": round(gap, 2),
        "cpu_count": os.cpu_count(),
    }
