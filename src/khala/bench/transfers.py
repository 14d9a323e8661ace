"""End-to-end transfer benchmark: a real node process, concurrent RPC clients, finality.

1. Write a dev genesis endowing ``senders`` benchmark accounts and start ``khala node`` on it
   (a separate process, as in production).
2. Pre-sign ``transfers`` transfers, each paying the existential deposit to a fresh account
   (so every transfer creates an account: the state-heavy case). Clients sign before the clock
   starts: signing is the clients' cost, not the chain's.
3. Submit them over ``connections`` WebSocket connections concurrently; count each transfer
   when the block that includes it is finalized (``chain_subscribeFinalizedHeads``).
4. Re-import the produced blocks in this process from genesis to break down block import time
   per 1,000 transfers into signature checks, execution, trie and LMDB storage, and measure
   sr25519 verifications/s on the same machine as the ceiling.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp

from khala.bench.errors import BenchError, BenchErrorCode
from khala.bench.node_process import (
    POOL_FULL,
    POOL_FULL_BACKOFF_S,
    bench_genesis,
    bench_node,
    sign_transfers,
    submit_one,
)
from khala.bench.timing import machine
from khala.node.lmdb_store import LmdbChainStore
from khala.node.storage import StoredBlock
from khala.primitives.crypto import KeyScheme, keypair_from_uri, verify
from khala.primitives.trie import Layout, Trie
from khala.runtime.block import Block
from khala.runtime.builder import apply_changes
from khala.runtime.executive import Executive
from khala.runtime.genesis import build_genesis_storage, genesis_block_header, parse_genesis_config
from khala.sdk import Client
from khala.sdk.core import unhex
from khala.sdk.types import BlockInfo

MAX_BATCH = 100
"""Most calls per JSON-RPC batch the benchmark sends (well inside the node's 1,000)."""


async def _submit_batch(
    socket: aiohttp.ClientWebSocketResponse, requests: list[dict[str, Any]]
) -> list[Any]:
    """Submit a JSON-RPC batch (one message), resubmitting what the full pool dropped (1016).

    A batch keeps its transactions' nonce order: the pool accepts a later nonce as future
    while an earlier one waits to be resubmitted.
    """
    answers: list[Any] = []
    pending = requests
    while pending:
        await socket.send_json(pending)
        replies = await socket.receive_json()
        if not isinstance(replies, list):
            return [replies]
        by_id = {reply.get("id"): reply for reply in replies}
        retry = []
        for request in pending:
            reply = by_id.get(request["id"], {})
            if reply.get("error", {}).get("code") == POOL_FULL:
                retry.append(request)
            else:
                answers.append(reply)
        pending = retry
        if pending:
            await asyncio.sleep(POOL_FULL_BACKOFF_S)
    return answers


async def _submit_all(
    url: str, batches: list[list[bytes]], total: int, timeout_s: float, batch: int = 1
) -> tuple[float, float, list[str]]:
    """Submit every batch on its own connection; return (start, end, finalized block hashes)."""
    counted = 0
    blocks: list[str] = []
    finished = asyncio.Event()
    errors: list[str] = []
    ws_url = url.replace("http://", "ws://")
    async with aiohttp.ClientSession() as session:
        heads = await session.ws_connect(ws_url, max_msg_size=0)
        await heads.send_json(
            {"jsonrpc": "2.0", "id": 0, "method": "chain_subscribeFinalizedHeads", "params": []}
        )
        await heads.receive_json()

        async def count_blocks() -> None:
            nonlocal counted
            async for message in heads:
                payload = json.loads(message.data)
                header = payload.get("params", {}).get("result")
                if not header:
                    continue
                number = int(header["number"], 16)
                async with session.post(
                    url,
                    json={
                        "jsonrpc": "2.0",
                        "id": 1,
                        "method": "chain_getBlockHash",
                        "params": [number],
                    },
                ) as response:
                    block_hash = (await response.json())["result"]
                async with session.post(
                    url,
                    json={
                        "jsonrpc": "2.0",
                        "id": 1,
                        "method": "chain_getBlock",
                        "params": [block_hash],
                    },
                ) as response:
                    block = (await response.json())["result"]
                # Every block but genesis starts with the timestamp inherent.
                included = len(block["block"]["extrinsics"]) - 1 if number else 0
                if included > 0:
                    counted += included
                    blocks.append(block_hash)
                if counted >= total:
                    finished.set()
                    return

        async def client(transactions: list[bytes]) -> None:
            async with session.ws_connect(ws_url, max_msg_size=0) as socket:
                requests = [
                    {
                        "jsonrpc": "2.0",
                        "id": index,
                        "method": "author_submitExtrinsic",
                        "params": ["0x" + raw.hex()],
                    }
                    for index, raw in enumerate(transactions)
                ]
                for start in range(0, len(requests), batch):
                    group = requests[start : start + batch]
                    answers = (
                        [await submit_one(socket, group[0])]
                        if batch == 1
                        else await _submit_batch(socket, group)
                    )
                    failed = [answer for answer in answers if "error" in answer]
                    if failed:
                        errors.append(str(failed[0]["error"]))
                        return

        counter = asyncio.create_task(count_blocks())
        start = time.perf_counter()
        await asyncio.gather(*(client(transactions) for transactions in batches))
        if errors:
            counter.cancel()
            raise BenchError(
                BenchErrorCode.BASELINE_DISAGREES, f"{len(errors)} submissions refused: {errors[0]}"
            )
        try:
            await asyncio.wait_for(finished.wait(), timeout_s)
        except TimeoutError:
            raise BenchError(
                BenchErrorCode.BASELINE_DISAGREES,
                f"only {counted} of {total} transfers finalized in time",
            ) from None
        end = time.perf_counter()
        counter.cancel()
        await heads.close()
    if errors:
        raise BenchError(
            BenchErrorCode.BASELINE_DISAGREES, f"{len(errors)} submissions refused: {errors[0]}"
        )
    return start, end, blocks


def reimport(
    fetch: Callable[[int | bytes], BlockInfo],
    genesis_document: dict[str, Any],
    counted: list[bytes],
    scratch: Path,
) -> dict[str, float]:
    """Import the chain from genesis in-process and time each phase of the ``counted`` blocks.

    ``fetch`` gives a block by number or hash. Every block up to the last counted one is
    imported: an empty block between two counted ones (the engine seals one whenever its
    timer fires with nothing pooled) changes the state too, so only its timings are left out.

    Raises:
        BenchError: ``bench.baseline_disagrees`` when a block's state root differs here.
    """
    config = parse_genesis_config(genesis_document)
    storage = build_genesis_storage(config)
    genesis = genesis_block_header(storage)
    store = LmdbChainStore(scratch / "reimport")
    trie = Trie.from_items(storage.items(), Layout.V1, _NodeView(store))
    trie.commit()
    store.commit_block(StoredBlock(genesis, [], None, dict(storage.items())), finalized=True)
    executive = Executive(config.preset, genesis.hash())
    numbers = {fetch(block_hash).number for block_hash in counted}
    timings = {"execute": 0.0, "trie": 0.0, "storage": 0.0, "transfers": 0.0}
    for number in range(1, max(numbers, default=0) + 1):
        _import(fetch(number), executive, trie, store, timings if number in numbers else {})
    store.close()
    return timings


class _NodeView:
    def __init__(self, store: LmdbChainStore) -> None:
        self.store = store

    def get(self, node_hash: bytes) -> bytes | None:
        return self.store.get_node(node_hash)

    def put(self, node_hash: bytes, encoded: bytes) -> None:
        self.store.put(node_hash, encoded)


def _import(
    block_info: Any,
    executive: Executive,
    trie: Trie,
    store: LmdbChainStore,
    timings: dict[str, float],
) -> None:
    header = block_info.header
    unsealed = replace(header, digest=header.digest[:-1])  # the seal is checked by the node
    started = time.perf_counter()
    state = executive.execute_block(trie, Block(unsealed, block_info.extrinsics))
    executed = time.perf_counter()
    changes = state.changes()
    root = apply_changes(trie, changes)
    trie.commit()
    hashed = time.perf_counter()
    if root != header.state_root:
        raise BenchError(
            BenchErrorCode.BASELINE_DISAGREES, f"re-import of #{header.number} gave another root"
        )
    store.commit_block(
        StoredBlock(header, block_info.extrinsics, block_info.justification, changes),
        finalized=True,
    )
    stored = time.perf_counter()
    if timings:
        timings["execute"] += executed - started
        timings["trie"] += hashed - executed
        timings["storage"] += stored - hashed
        timings["transfers"] += len(block_info.extrinsics) - 1


def _verify_rate(samples: int) -> float:
    pair = keypair_from_uri("//bench/0")
    message = b"\x05" * 120
    signature = pair.sign(message)
    start = time.perf_counter()
    for _ in range(samples):
        verify(KeyScheme.SR25519, pair.public_key, message, signature)
    return samples / (time.perf_counter() - start)


def run_transfer_benchmark(
    *,
    transfers: int = 20_000,
    senders: int = 32,
    connections: int = 8,
    block_time_s: float = 1.0,
    accounts: int = 0,
    port: int | None = None,
    batch: int = 1,
    node_source: Path | None = None,
    report: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Run the benchmark and return its figures (see the module docstring).

    ``batch`` > 1 sends each client's transactions as JSON-RPC batches of that many calls
    per WebSocket message (what a busy wallet backend or exchange does). ``node_source`` runs
    the node from another source tree (see :func:`bench_node`); its blocks are then not
    re-imported (another version's runtime may build other states), so only the end-to-end
    figures are reported.

    Raises:
        BenchError: For bad sizes, or when the node does not finalize every transfer.
    """
    if transfers < senders or senders < 1 or connections < 1 or connections > senders:
        raise BenchError(
            BenchErrorCode.INVALID_PARAMETER, "need transfers >= senders >= connections >= 1"
        )
    if not 1 <= batch <= MAX_BATCH:
        raise BenchError(BenchErrorCode.INVALID_PARAMETER, f"--batch must be 1 to {MAX_BATCH}")
    with tempfile.TemporaryDirectory(prefix="khala-bench-") as scratch_name:
        scratch = Path(scratch_name)
        report(f"writing a genesis with {accounts:,} extra accounts")
        genesis_document = bench_genesis(scratch / "genesis.json", senders, accounts)
        with bench_node(scratch, block_time_s=block_time_s, port=port, source=node_source) as url:
            report(f"signing {transfers} transfers from {senders} senders")
            batches = sign_transfers(url, transfers, senders, connections, b"khala-bench-receiver")
            per_sender = transfers // senders
            total = per_sender * senders
            report(f"submitting over {connections} connections; counting at finality")
            start, end, blocks = asyncio.run(
                _submit_all(url, batches, total, timeout_s=max(120.0, total / 100), batch=batch)
            )
            if node_source is not None:
                return {
                    "transfers": total,
                    "accounts": accounts,
                    "node_source": str(node_source),
                    "blocks": len(blocks),
                    "elapsed_s": round(end - start, 3),
                    "transfers_per_s": round(total / (end - start), 1),
                    "sr25519_verifies_per_s": round(_verify_rate(5_000)),
                }
            report(f"re-importing {len(blocks)} blocks to break down import time")
            counted = [unhex(block_hash, "hash") for block_hash in blocks]
            timings = reimport(Client(url).block, genesis_document, counted, scratch)
    verify_rate = _verify_rate(5_000)
    imported = timings["transfers"]
    import_total = timings["execute"] + timings["trie"] + timings["storage"]
    signature_share = (imported / verify_rate) / import_total if import_total else 0.0
    per_thousand = 1000 / imported if imported else 0.0
    return {
        "transfers": total,
        "accounts": accounts,
        "senders": senders,
        "connections": connections,
        "batch": batch,
        "block_time_s": block_time_s,
        "blocks": len(blocks),
        "elapsed_s": round(end - start, 3),
        "transfers_per_s": round(total / (end - start), 1),
        "import_ms_per_1000": round(import_total * per_thousand * 1000, 1),
        "import_share_signatures": round(signature_share, 3),
        "import_share_execution_other": round(
            max(timings["execute"] / import_total - signature_share, 0.0), 3
        ),
        "import_share_trie": round(timings["trie"] / import_total, 3),
        "import_share_storage": round(timings["storage"] / import_total, 3),
        "sr25519_verifies_per_s": round(verify_rate),
        "machine": machine(),
    }
