"""RPC read latency under load: 50 readers, with and without blocks of 400 transfers every 2 s.

A real ``khala node`` process (dev preset, 2 s blocks) serves ``state_getStorage`` to
``clients`` concurrent HTTP clients, each reading every ``interval_ms`` (like a wallet or
explorer polling; 0 reads back to back, which measures queueing in the clients as much as the
node) for ``seconds``: first while the
node authors empty blocks, then while a feeder keeps the pool full with pre-signed transfers
(``per_block`` per block). Each request's round trip is recorded; the report gives p50, p99,
p99.9 and the maximum of both phases, and how many transfers landed meanwhile.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from khala.bench.node_process import bench_genesis, bench_node, submit_one
from khala.bench.timing import machine
from khala.primitives.crypto import keypair_from_uri
from khala.primitives.hashing import blake2_256
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.system.state import ACCOUNT
from khala.sdk import Client, core

SENDERS = 16
"""Benchmark accounts paying the transfers (each has its own nonce sequence)."""


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return round(ordered[min(int(len(ordered) * fraction), len(ordered) - 1)] * 1000, 2)

    return {
        "requests": len(ordered),
        "p50_ms": at(0.5),
        "p99_ms": at(0.99),
        "p99_9_ms": at(0.999),
        "max_ms": round(ordered[-1] * 1000, 2),
        "mean_ms": round(statistics.mean(ordered) * 1000, 2),
    }


async def _readers(url: str, clients: int, seconds: float, interval_s: float) -> list[float]:
    """``clients`` loops of ``state_getStorage`` for ``seconds``; every round trip's time."""
    key = "0x" + ACCOUNT.key_of(keypair_from_uri("//Alice").public_key).hex()
    request = {"jsonrpc": "2.0", "id": 1, "method": "state_getStorage", "params": [key]}
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def reader(offset: float) -> None:
            await asyncio.sleep(offset)  # spread the clients over the interval
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                async with session.post(url, json=request) as response:
                    await response.read()
                latencies.append(time.perf_counter() - start)
                await asyncio.sleep(max(interval_s - (time.perf_counter() - start), 0))

        await asyncio.gather(*(reader(interval_s * n / clients) for n in range(clients)))
    return latencies


async def _feeder(url: str, transactions: list[bytes], per_block: int, block_s: float) -> int:
    """Submit ``per_block`` transfers per block interval until they run out; returns the count."""
    sent = 0
    async with aiohttp.ClientSession() as session:
        socket = await session.ws_connect(url.replace("http://", "ws://"), max_msg_size=0)
        for start in range(0, len(transactions), per_block):
            began = time.perf_counter()
            for raw in transactions[start : start + per_block]:
                request = {
                    "jsonrpc": "2.0",
                    "id": sent,
                    "method": "author_submitExtrinsic",
                    "params": ["0x" + raw.hex()],
                }
                await submit_one(socket, request)
                sent += 1
            await asyncio.sleep(max(block_s - (time.perf_counter() - began), 0))
        await socket.close()
    return sent


def _signed_transfers(url: str, count: int) -> list[bytes]:
    client = Client(url)
    genesis_hash = client.genesis_hash()
    spec_version, transaction_version = client.versions()
    signed = []
    for index in range(count):
        pair = keypair_from_uri(f"//bench/{index % SENDERS}")
        receiver = blake2_256(b"khala-rpc-bench" + index.to_bytes(8, "little"))
        call = core.transfer_call(receiver, EXISTENTIAL_DEPOSIT, keep_alive=False)
        signed.append(
            core.sign(
                pair,
                call,
                nonce=index // SENDERS,
                tip=0,
                genesis_hash=genesis_hash,
                spec_version=spec_version,
                transaction_version=transaction_version,
            )
        )
    return signed


def run_rpc_benchmark(
    *,
    clients: int = 50,
    seconds: float = 10.0,
    per_block: int = 400,
    block_time_s: float = 2.0,
    interval_ms: int = 100,
) -> dict[str, Any]:
    """Measure read latency idle and under authoring load; figures in milliseconds."""
    with tempfile.TemporaryDirectory(prefix="khala-rpc-bench-") as scratch_name:
        scratch = Path(scratch_name)
        bench_genesis(scratch / "genesis.json", SENDERS)
        with bench_node(scratch, block_time_s=block_time_s) as url:
            blocks = int(seconds / block_time_s) + 1
            transfers = _signed_transfers(url, per_block * blocks)
            interval = interval_ms / 1000
            idle = asyncio.run(_readers(url, clients, seconds, interval))

            async def loaded() -> tuple[list[float], int]:
                feeding = asyncio.create_task(_feeder(url, transfers, per_block, block_time_s))
                latencies = await _readers(url, clients, seconds, interval)
                sent = await feeding
                return latencies, sent

            busy, sent = asyncio.run(loaded())
    return {
        "clients": clients,
        "interval_ms": interval_ms,
        "seconds_per_phase": seconds,
        "transfers_per_block": per_block,
        "block_time_s": block_time_s,
        "idle": _percentiles(idle),
        "authoring": {**_percentiles(busy), "transfers_submitted": sent},
        "machine": machine(),
    }
