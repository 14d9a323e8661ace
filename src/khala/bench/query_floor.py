"""What an encrypted query costs at least, piece by piece: the query benchmark's ceiling.

Measured on the machine that runs ``khala bench contracts``, in the same run:

* the worker's cryptography per query, each piece alone (median of many): opening the
  envelope (x25519, HKDF, AES-GCM, decoding), checking the caller's signature (sr25519), and
  sealing the answer (sr25519 signature, a one-time x25519 key, AES-GCM);
* the HTTP floor: the benchmark's own clients against a server whose ``POST /query`` answers
  a fixed body at once (aiohttp on both sides, the same connections and payload sizes), i.e.
  the rate with no query work at all.

From these, the best case for any arrangement of the query work (every piece spread over
every core with no lock, no thread hand-off and no interpreter contention) is
``cores / (crypto + contract + cores / http_floor)`` queries/s: the bound the measured rate is
compared with in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from khala.offchain.query import (
    Answer,
    QueryOutput,
    SignedQuery,
    open_query,
    seal_answer,
    verify_query,
)
from khala.primitives.crypto import Keypair
from khala.primitives.scale.containers import Ok

SAMPLES = 300
"""Timed repetitions of each piece (medians are reported)."""


def _median_us(work: Callable[[int], object], count: int) -> float:
    times = []
    for index in range(count):
        started = time.perf_counter()
        work(index)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def crypto_pieces(
    identity: Keypair, ecdh_secret: bytes, envelopes: list[bytes]
) -> dict[str, float]:
    """Median microseconds of opening, verifying and answering one query (no HTTP, no wasm)."""
    me = identity.public_key
    count = min(SAMPLES, len(envelopes))
    opened: list[SignedQuery] = [open_query(ecdh_secret, me, raw) for raw in envelopes[:count]]
    now_ms = int(time.time() * 1000)
    answer = Answer(opened[0].body.nonce, me, Ok(QueryOutput(False, b"\x00\x00", 0, "")))
    return {
        "open_us": _median_us(lambda i: open_query(ecdh_secret, me, envelopes[i]), count),
        "verify_us": _median_us(lambda i: verify_query(opened[i], now_ms), count),
        "seal_us": _median_us(
            lambda i: seal_answer(
                identity, answer, bytes(opened[i].body.reply_key), os.urandom(44)
            ),
            count,
        ),
    }


def _serve_fixed(port_queue: Any, stop: Any, size: int) -> None:
    """A server answering ``POST /query`` with a fixed answer of ``size`` hex digits."""
    body = {"answer": "0x" + "00" * (size // 2)}

    async def handle(request: web.Request) -> web.Response:
        await request.json()
        return web.json_response(body)

    serve_queries(handle, port_queue, stop)


def serve_queries(
    handle: Callable[[web.Request], Awaitable[web.StreamResponse]], port_queue: Any, stop: Any
) -> None:
    """Serve ``POST /query`` with ``handle`` on a free loopback port until ``stop`` is set.

    For a benchmark's server process: the port goes to ``port_queue`` once it listens.
    """

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/query", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_queue.put(runner.addresses[0][1])
        while not stop.is_set():
            await asyncio.sleep(0.1)
        await runner.cleanup()

    asyncio.run(main())


def http_floor(
    fire: Callable[[int, list[tuple[bytes, bytes, bytes]], int], Any],
    sealed: list[tuple[bytes, bytes, bytes]],
    clients: int,
    answer_hex: int,
) -> float:
    """Requests/s of the benchmark's clients against a server doing no query work.

    ``fire`` is the query benchmark's own client (same connections, same request bodies).
    """
    context = multiprocessing.get_context("spawn")
    port_queue, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve_fixed, args=(port_queue, stop, answer_hex), daemon=True)
    server.start()
    try:
        port = port_queue.get(timeout=60)
        asyncio.run(fire(port, sealed[:50], clients))
        elapsed: float = asyncio.run(fire(port, sealed, clients))[0]
    finally:
        stop.set()
        server.join(10)
    return len(sealed) / elapsed


def ceiling(cores: int, crypto_us: float, contract_us: float, floor_per_s: float) -> float:
    """Queries/s if all query work ran in parallel on every core with no overhead at all."""
    per_query_core_us = crypto_us + contract_us + cores * 1e6 / floor_per_s
    return cores * 1e6 / per_query_core_us
