"""A benchmark's own node: a dev genesis for it, the process, readiness and submissions.

The transfer and RPC benchmarks each run a real ``khala node`` process on loopback (as in
production: the node's event loop, LMDB and GIL are its own) and talk to it over RPC.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

from khala.bench.errors import BenchError, BenchErrorCode
from khala.node.txpool import RpcCode
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.hashing import blake2_256
from khala.runtime.genesis import DEV_ACCOUNTS
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.sdk import Client, core

POOL_FULL = int(RpcCode.IMMEDIATELY_DROPPED)
"""The RPC code of a transaction the full pool refused."""
READY_TIMEOUT_S = 600.0
"""How long the node may take to start (a genesis of a million accounts takes about a minute)."""
POOL_FULL_BACKOFF_S = 0.05
"""How long a client waits before resubmitting a transaction the full pool dropped (1016)."""
STOP_TIMEOUT_S = 30.0
"""How long the node may take to stop after SIGTERM before it is killed."""


def bench_genesis(
    path: Path, senders: int, accounts: int = 0, authorities: int = 1
) -> dict[str, Any]:
    """Write a dev genesis endowing Alice, ``//bench/i`` senders and ``accounts`` more.

    The extra accounts only make the state large (1 PHA each, keys nobody holds). The
    authorities are //Alice, //Bob, ... (ed25519 finality keys of the same URIs).
    """
    alice = keypair_from_uri("//Alice")
    document = {
        "preset": "dev",
        "endowed": [["0x" + alice.public_key.hex(), "1000000PHA"]]
        + [
            ["0x" + keypair_from_uri(f"//bench/{index}").public_key.hex(), "1000PHA"]
            for index in range(senders)
        ]
        + [
            ["0x" + blake2_256(b"khala-bench-filler" + index.to_bytes(8, "little")).hex(), "1PHA"]
            for index in range(accounts)
        ],
        "authorities": [
            {
                "finality_key": "0x"
                + keypair_from_uri(f"//{name}", KeyScheme.ED25519).public_key.hex(),
                "account": "0x" + keypair_from_uri(f"//{name}").public_key.hex(),
            }
            for name in DEV_ACCOUNTS[:authorities]
        ],
        "sudo": "0x" + alice.public_key.hex(),
    }
    path.write_text(json.dumps(document))
    return document


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def bench_node(
    scratch: Path, *, block_time_s: float, port: int | None = None, source: Path | None = None
) -> Iterator[str]:
    """Run ``khala node`` on ``scratch/genesis.json`` until the block exits; yields its URL.

    The node's base path and log live in ``scratch``; it is stopped with SIGTERM (killed
    after :data:`STOP_TIMEOUT_S`). ``source`` runs the node from another source tree's
    ``src`` directory (a baseline commit checked out with ``git worktree``) instead of this
    package.

    Raises:
        BenchError: When it does not answer within :data:`READY_TIMEOUT_S`.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    with (scratch / "node.log").open("wb") as log:
        node = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable, "-m", "khala", "node", "--genesis", str(scratch / "genesis.json"),
                "--base-path", str(scratch / "node"), "--rpc-port", str(port),
                "--block-time", str(block_time_s),
            ],
            stdout=log,
            stderr=log,
            env=None if source is None else {**os.environ, "PYTHONPATH": str(source)},
        )  # fmt: skip
        try:
            asyncio.run(wait_ready(url))
            yield url
        finally:
            node.send_signal(signal.SIGTERM)
            try:
                node.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                node.kill()
                node.wait()


async def wait_ready(url: str) -> None:
    """Wait until the node at ``url`` answers ``system_name``.

    Raises:
        BenchError: After :data:`READY_TIMEOUT_S`.
    """
    deadline = time.monotonic() + READY_TIMEOUT_S
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.post(
                    url, json={"jsonrpc": "2.0", "id": 1, "method": "system_name"}
                ) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise BenchError(BenchErrorCode.BASELINE_DISAGREES, "the benchmark node did not start")


async def submit_one(socket: aiohttp.ClientWebSocketResponse, request: dict[str, Any]) -> Any:
    """Submit one transaction, waiting and retrying while the pool is full (1016)."""
    while True:
        await socket.send_json(request)
        answer = await socket.receive_json()
        if answer.get("error", {}).get("code") != POOL_FULL:
            return answer
        await asyncio.sleep(POOL_FULL_BACKOFF_S)


def sign_transfers(
    url: str, transfers: int, senders: int, connections: int, tag: bytes
) -> list[list[bytes]]:
    """Pre-sign ``transfers`` transfers from the ``//bench/i`` senders, one list per connection.

    Each pays the existential deposit to a fresh account (``blake2_256(tag ‖ serial)``), so
    every transfer creates one; a sender's transfers stay in one list, in nonce order.
    """
    client = Client(url)
    genesis_hash = client.genesis_hash()
    spec_version, transaction_version = client.versions()
    per_sender = transfers // senders
    batches: list[list[bytes]] = [[] for _ in range(connections)]
    for index in range(senders):
        pair = keypair_from_uri(f"//bench/{index}")
        for nonce in range(per_sender):
            serial = (index * per_sender + nonce).to_bytes(8, "little")
            call = core.transfer_call(
                blake2_256(tag + serial), EXISTENTIAL_DEPOSIT, keep_alive=False
            )
            batches[index % connections].append(
                core.sign(pair, call, nonce=nonce, tip=0, genesis_hash=genesis_hash,
                          spec_version=spec_version, transaction_version=transaction_version)
            )  # fmt: skip
    return batches
