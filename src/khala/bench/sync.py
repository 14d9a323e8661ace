"""Sync benchmark: verified catch-up into a worker, for empty blocks and transfer blocks.

A chain of ``empty`` empty blocks followed by ``transfer_blocks`` blocks of ``per_block``
transfers is authored in this process. A separate process (so its memory is the worker's
alone) then imports them through the light client, with every check (parent, justification,
changes → state root), timing each segment and reporting its peak RSS after the empty blocks.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from khala.bench.timing import machine
from khala.node.chain import Chain
from khala.node.storage import MemoryChainStore
from khala.primitives.crypto import KeyScheme, keypair_from_seed, keypair_from_uri
from khala.primitives.scale import codec_of
from khala.primitives.types import Header
from khala.runtime.genesis import dev_genesis
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from khala.sdk import core
from khala.worker.light_client import LightClient, SyncBlock

_BLOCKS = codec_of(list[tuple[Header, bytes | None, list[tuple[bytes, bytes | None]]]])
_START_MS = 1_700_000_000_000


def _export(
    chain: Chain, first: int, last: int
) -> list[tuple[Header, bytes | None, list[tuple[bytes, bytes | None]]]]:
    exported = []
    for number in range(first, last + 1):
        block_hash = chain.store.hash_at(number)
        header = chain.store.header(block_hash) if block_hash else None
        if block_hash is None or header is None:
            raise RuntimeError(f"block {number} missing")
        changes = chain.store.changes(block_hash) or {}
        exported.append((header, chain.store.justification(block_hash), sorted(changes.items())))
    return exported


def build_chain(empty: int, transfer_blocks: int, per_block: int) -> tuple[bytes, bytes]:
    """Author the benchmark chain; returns (genesis hash, encoded blocks)."""
    authority = keypair_from_uri("//Alice", KeyScheme.ED25519)
    chain = Chain(MemoryChainStore(), dev_genesis())
    slot = 0
    for _ in range(empty):
        slot += 1
        chain.author(authority, slot=slot, now_ms=_START_MS + slot * 2000, candidates=[])
    senders = [
        keypair_from_uri(f"//{name}")
        for name in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")
    ]
    nonces = dict.fromkeys(range(len(senders)), 0)
    for block in range(transfer_blocks):
        candidates = []
        for index in range(per_block):
            sender = index % len(senders)
            receiver = keypair_from_seed(
                KeyScheme.SR25519, (block * per_block + index).to_bytes(32, "little")
            )
            call = core.transfer_call(receiver.public_key, EXISTENTIAL_DEPOSIT, keep_alive=False)
            candidates.append(
                core.sign(
                    senders[sender],
                    call,
                    nonce=nonces[sender],
                    tip=0,
                    genesis_hash=chain.genesis_hash,
                    spec_version=SPEC_VERSION,
                    transaction_version=TRANSACTION_VERSION,
                )
            )
            nonces[sender] += 1
        slot += 1
        built = chain.author(
            authority, slot=slot, now_ms=_START_MS + slot * 2000, candidates=candidates
        )
        if len(built.built.included) != per_block:
            raise RuntimeError("a benchmark transfer was not included")
    return chain.genesis_hash, _BLOCKS.encode(_export(chain, 0, empty + transfer_blocks))


def _rss_mib() -> float:
    """Current resident set size of this process, in MiB (Linux /proc)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * resource.getpagesize() / (1024 * 1024)


def worker_import(genesis_hash: bytes, encoded: bytes, empty: int) -> dict[str, float]:
    """Import the blocks through a light client (the worker side); runs in the child process."""
    blocks = [
        SyncBlock(header, justification, dict(changes))
        for header, justification, changes in _BLOCKS.decode(encoded)
    ]
    del encoded
    before_mib = _rss_mib()
    client = LightClient(genesis_hash)
    client.import_block(blocks[0])
    start = time.perf_counter()
    for block in blocks[1 : empty + 1]:
        client.import_block(block)
    empty_seconds = time.perf_counter() - start
    after_mib = _rss_mib()
    start = time.perf_counter()
    for block in blocks[empty + 1 :]:
        client.import_block(block)
    transfer_seconds = time.perf_counter() - start
    return {
        "empty_seconds": empty_seconds,
        "transfer_seconds": transfer_seconds,
        "rss_mib": after_mib,
        "rss_before_mib": before_mib,
    }


_CHILD = (
    "import json, sys; from pathlib import Path; from khala.bench.sync import worker_import; "
    "print(json.dumps(worker_import(bytes.fromhex(sys.argv[2]), Path(sys.argv[1]).read_bytes(), "
    "int(sys.argv[3]))))"
)


def run_sync_benchmark(
    *, empty: int = 10_000, transfer_blocks: int = 100, per_block: int = 100
) -> dict[str, Any]:
    """Build the chain here, import it in a child process, report blocks/s and memory."""
    genesis_hash, encoded = build_chain(empty, transfer_blocks, per_block)
    with tempfile.TemporaryDirectory(prefix="khala-sync-") as scratch:
        path = Path(scratch) / "blocks.scale"
        path.write_bytes(encoded)
        completed = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", _CHILD, str(path), genesis_hash.hex(), str(empty)],
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
        )
    child = json.loads(completed.stdout.strip().splitlines()[-1])
    rss_key = "worker_rss_mib_10k_blocks" if empty == 10_000 else "worker_rss_mib"
    return {
        "empty_blocks": empty,
        "empty_blocks_per_s": round(empty / child["empty_seconds"], 1),
        "transfer_blocks": transfer_blocks,
        "transfers_per_block": per_block,
        "transfer_blocks_per_s": (
            round(transfer_blocks / child["transfer_seconds"], 1) if transfer_blocks else None
        ),
        rss_key: round(child["rss_mib"], 1),
        "worker_rss_before_import_mib": round(child["rss_before_mib"], 1),
        "checks": "parent, number, ed25519 justification (>= 2/3 of the authority set), state root",
        "machine": machine(),
    }
