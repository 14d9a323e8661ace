"""Contracts benchmark: encrypted queries/s per worker, commands per block, instantiate times.

* **Queries**: a worker-side process serves ``POST /query`` (the real :class:`QueryApi` over
  aiohttp, its scheduler and threads) for a cluster holding ink!'s flipper; this process sends
  pre-sealed, signed ``get`` queries from ``clients`` concurrent connections and measures the
  rate and the latency of each; a sample of answers is opened and checked (worker signature,
  value). The contract's own time (a warm ``get`` on the host, no crypto, no HTTP) is measured
  alone, so the API's overhead is the difference. The query's cryptography piece by piece and
  the HTTP floor give the best case any arrangement could reach on this machine
  (:mod:`khala.bench.query_floor`).
* **Commands**: encrypted ``flip`` commands applied by a cluster replay (open, decode, execute,
  gas, state); the rate times the block time is the commands one worker keeps up with per
  block.
* **Instantiate**: cold (a fresh engine: compile, check, instantiate) and warm (the module
  cached) constructor times.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import time
from pathlib import Path
from typing import Any

import aiohttp

from khala.bench import query_floor
from khala.bench.timing import machine
from khala.contracts.abi import InkMetadata
from khala.contracts.cluster import ClusterRuntime
from khala.contracts.engine import WasmEngine
from khala.contracts.pink_memory import MemoryPinkBackend
from khala.offchain.contract_keys import cluster_key, contract_key, seal_command
from khala.offchain.query import QueryBody, open_answer, seal_query, sign_query
from khala.primitives.crypto import KeyScheme, keypair_from_seed
from khala.primitives.crypto.envelope import x25519_public_key
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import encode
from khala.primitives.scale.containers import Ok
from khala.primitives.trie import MemoryNodeStore, Trie
from khala.runtime.modules.phat import payloads
from khala.runtime.modules.phat.ids import cluster_id, contract_id
from khala.runtime.modules.phat.types import ClusterInfo, Public
from khala.runtime.state import State

CLUSTER = cluster_id(1)
MASTER = b"\x5a" * 32
OWNER = b"\x0a" * 32
WORKER_SEED = b"\x5b" * 32
WORKER_ECDH = b"\x5c" * 32
CLIENT_SEED = b"\x5d" * 32
GAS = 10**9


def _runtime(
    engine: WasmEngine, wasm: bytes, metadata: InkMetadata
) -> tuple[ClusterRuntime, bytes]:
    runtime = ClusterRuntime(
        engine,
        CLUSTER,
        cluster_key(MASTER, CLUSTER),
        ClusterInfo(OWNER, Public(), 0, 0, 0),
        MemoryPinkBackend(),
    )
    runtime.apply(payloads.CodeUploaded(CLUSTER, OWNER, wasm), 1, 0)
    code_hash = blake2_256(wasm)
    address = contract_id(OWNER, code_hash, CLUSTER, b"")
    data = metadata.encode_call(metadata.constructor("new"), [False])
    request = payloads.InstantiateRequest(
        CLUSTER, address, OWNER, code_hash, data, b"", 0, GAS, None
    )
    runtime.apply(request, 1, 0)
    return runtime, address


def _serve(folder: str, port_queue: Any, stop: Any, slots: int) -> None:
    """The worker side, in its own process: the query API over one cluster with flipper."""
    from types import SimpleNamespace  # noqa: PLC0415 - child process only

    from khala.worker.identity import WorkerKeys  # noqa: PLC0415
    from khala.worker.query_api import QueryApi  # noqa: PLC0415

    path = Path(folder)
    wasm = (path / "v4_flipper.wasm").read_bytes()
    metadata = InkMetadata.load(path / "v4_flipper.json")
    runtime, _ = _runtime(WasmEngine(), wasm, metadata)
    host = SimpleNamespace(
        runtime=runtime,
        query=lambda contract, origin, data, deadline, value=0: runtime.query(
            contract,
            origin,
            data,
            block=1,
            now_ms=0,
            deadline_s=deadline,
            value=value,
            state=runtime.state.snapshot(),
        ),
    )
    state = State(Trie(MemoryNodeStore()))
    fake = SimpleNamespace(contracts=host, client=SimpleNamespace(state=lambda: state))
    keys = WorkerKeys(keypair_from_seed(KeyScheme.SR25519, WORKER_SEED), WORKER_ECDH)
    api = QueryApi(lambda: fake, keys, time.time, os.urandom, slots=slots)  # type: ignore[arg-type, return-value]

    query_floor.serve_queries(api.handle, port_queue, stop)


def _sealed_queries(address: bytes, data: bytes, count: int) -> list[tuple[bytes, bytes, bytes]]:
    """(envelope, nonce, reply secret) for ``count`` fresh signed queries."""
    client = keypair_from_seed(KeyScheme.SR25519, CLIENT_SEED)
    worker = keypair_from_seed(KeyScheme.SR25519, WORKER_SEED).public_key
    ecdh = x25519_public_key(WORKER_ECDH)
    now_ms = int(time.time() * 1000)
    sealed = []
    for _ in range(count):
        reply, nonce = os.urandom(32), os.urandom(32)
        body = QueryBody(
            address, data, 0, client.public_key, nonce, now_ms, x25519_public_key(reply)
        )
        envelope = seal_query(ecdh, worker, sign_query(body, client), os.urandom(44))
        sealed.append((envelope, nonce, reply))
    return sealed


async def _fire(
    port: int, sealed: list[tuple[bytes, bytes, bytes]], clients: int
) -> tuple[float, list[float], list[tuple[int, bytes]]]:
    url = f"http://127.0.0.1:{port}/query"
    latencies: list[float] = []
    answers: list[tuple[int, bytes]] = []
    cursor = iter(range(len(sealed)))
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client() -> None:
            for index in cursor:
                started = time.perf_counter()
                async with session.post(
                    url, json={"envelope": "0x" + sealed[index][0].hex()}
                ) as response:
                    document = await response.json()
                latencies.append(time.perf_counter() - started)
                if index < 20:
                    answers.append((index, bytes.fromhex(document["answer"][2:])))

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, answers


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_contracts_benchmark(
    shared: Path,
    *,
    queries: int = 3000,
    clients: int = 16,
    commands: int = 500,
    slots: int = 2,
    block_time_s: float = 12.0,
) -> dict[str, Any]:
    """Run the three measurements; return the figures (see the module docstring)."""
    folder = shared / "ink-contracts"
    wasm = (folder / "v4_flipper.wasm").read_bytes()
    metadata = InkMetadata.load(folder / "v4_flipper.json")
    get = metadata.encode_call(metadata.message("get"), [])
    flip = metadata.encode_call(metadata.message("flip"), [])

    started = time.perf_counter()
    engine = WasmEngine()
    runtime, address = _runtime(engine, wasm, metadata)
    cold_ms = (time.perf_counter() - started) * 1000
    warm = []
    for salt in range(5):
        data = metadata.encode_call(metadata.constructor("new"), [True])
        request = payloads.InstantiateRequest(
            CLUSTER,
            contract_id(OWNER, blake2_256(wasm), CLUSTER, bytes([salt + 1])),
            OWNER,
            blake2_256(wasm),
            data,
            bytes([salt + 1]),
            0,
            GAS,
            None,
        )
        started = time.perf_counter()
        runtime.apply(request, 1, 0)
        warm.append((time.perf_counter() - started) * 1000)

    contract_times = []
    for _ in range(500):
        started = time.perf_counter()
        runtime.query(address, OWNER, get, block=1, now_ms=0, deadline_s=5)
        contract_times.append((time.perf_counter() - started) * 1000)

    ecdh = contract_key(cluster_key(MASTER, CLUSTER), address).ecdh_public
    runtime.apply(payloads.Deposited(CLUSTER, OWNER, 10**18), 1, 0)
    sealed_commands = []
    for _ in range(commands):
        body = payloads.CommandBody(flip, 0, GAS, None, os.urandom(32))
        sealed_commands.append(seal_command(ecdh, encode(body), os.urandom(44), address))
    started = time.perf_counter()
    for sealed in sealed_commands:
        runtime.apply(payloads.Command(CLUSTER, address, OWNER, sealed), 2, 0)
    commands_per_s = commands / (time.perf_counter() - started)

    context = multiprocessing.get_context("spawn")
    port_queue, stop = context.Queue(), context.Event()
    server = context.Process(
        target=_serve, args=(str(folder), port_queue, stop, slots), daemon=True
    )
    server.start()
    try:
        port = port_queue.get(timeout=60)
        sealed_queries = _sealed_queries(address, get, queries)
        asyncio.run(_fire(port, sealed_queries[:50], clients))  # warm-up: compile, connections
        elapsed, latencies, answers = asyncio.run(_fire(port, sealed_queries, clients))
    finally:
        stop.set()
        server.join(10)
    worker = keypair_from_seed(KeyScheme.SR25519, WORKER_SEED).public_key
    checked, failures = 0, []
    for index, raw in answers:
        _, nonce, reply = sealed_queries[index]
        answer = open_answer(reply, raw, nonce, worker)
        if isinstance(answer.result, Ok):
            checked += 1
        else:
            failures.append(f"{answer.result.error.code}: {answer.result.error.message}")
    identity = keypair_from_seed(KeyScheme.SR25519, WORKER_SEED)
    pieces = query_floor.crypto_pieces(identity, WORKER_ECDH, [s[0] for s in sealed_queries])
    answer_hex = 2 * len(answers[0][1]) if answers else 512
    floor = query_floor.http_floor(_fire, sealed_queries, clients, answer_hex)
    contract_us = statistics.median(contract_times) * 1000
    cores = os.cpu_count() or 1
    crypto_us = sum(pieces.values())
    return {
        "queries": queries,
        "clients": clients,
        "slots": slots,
        "queries_per_s": round(queries / elapsed, 1),
        "query_latency_ms_p50": round(_percentile(latencies, 0.5) * 1000, 2),
        "query_latency_ms_p99": round(_percentile(latencies, 0.99) * 1000, 2),
        "contract_time_ms_p50": round(statistics.median(contract_times), 3),
        "query_cost_us": {name: round(value, 1) for name, value in pieces.items()},
        "http_floor_requests_per_s": round(floor, 1),
        "query_ceiling_per_s": round(query_floor.ceiling(cores, crypto_us, contract_us, floor), 1),
        "answers_checked": checked,
        "answer_failures": failures,
        "commands_per_s": round(commands_per_s, 1),
        "commands_per_block": int(commands_per_s * block_time_s),
        "block_time_s": block_time_s,
        "instantiate_cold_ms": round(cold_ms, 1),
        "instantiate_warm_ms": round(statistics.median(warm), 2),
        "machine": machine(),
    }
