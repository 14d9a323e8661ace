"""Growth benchmark: what a year of blocks costs a node's disk and memory and a worker's memory.

Node (a child process per mode, so its memory is the node's alone): an LMDB chain authors
``node_blocks`` empty blocks, then ``transfer_blocks`` blocks of 100 transfers; the database's
used bytes (LMDB pages in use, not the sparse file) are read at the end of the pruning window
and after each phase, and the process's RSS before and after the empty blocks. Pruned (the
default window) and archive run side by side.

Worker (another child): a light client imports ``worker_blocks`` empty blocks streamed from a
file written by the node run (header, justification, changes), with every check; its RSS is
read at block 10,000 and at the end. Authoring uses LMDB without fsync (``sync=False``): the
figures are bytes and memory, not commit latency.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from khala.bench.growth_chain import GrowthChain
from khala.bench.timing import machine
from khala.node.chain import Chain
from khala.node.storage import MemoryChainStore
from khala.primitives.scale import codec_of
from khala.primitives.types import Header
from khala.runtime.genesis import dev_genesis
from khala.worker.light_client import LightClient, SyncBlock

_BLOCK = codec_of(tuple[Header, bytes | None, list[tuple[bytes, bytes | None]]])
WORKER_BASELINE_BLOCK = 10_000
"""The worker's RSS growth is measured from this block on (the issue's 10k → 100k)."""
TRANSFERS_PER_BLOCK = 100
"""Transfers in each transfer block."""
STEADY_AFTER = 3_000
"""Node growth is measured after this many blocks: past the pruning window (256) and past
``System.BlockHash``'s 2,400 entries, both of which fill up first and then stay."""


def rss_mib() -> float:
    """Current resident set size of this process, in MiB (Linux /proc)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * resource.getpagesize() / (1024 * 1024)


def _write_block(out: BinaryIO, item: tuple[Header, bytes | None, list[Any]]) -> None:
    encoded = _BLOCK.encode(item)
    out.write(len(encoded).to_bytes(4, "little") + encoded)


def node_run(
    path: Path, pruning: int | None, empty: int, transfer_blocks: int, export: Path | None
) -> dict[str, float]:
    """Author the chain in LMDB; report used bytes and RSS (runs in a child process)."""
    chain = GrowthChain(path, pruning)
    steady = STEADY_AFTER
    out = export.open("wb") if export is not None else None
    try:
        if out is not None:
            _write_block(out, chain.exported(0))
        chain.author_empty(min(steady, empty), out)
        before = (chain.used_bytes(), chain.state_bytes(), rss_mib())
        chain.author_empty(max(empty - steady, 0), out)
        after = (chain.used_bytes(), chain.state_bytes(), rss_mib())
        chain.author_transfers(transfer_blocks, TRANSFERS_PER_BLOCK)
        transfers = (chain.used_bytes(), chain.state_bytes())
    finally:
        if out is not None:
            out.close()
    measured = max(empty - steady, 1)
    return {
        "empty_bytes_per_1000": (after[0] - before[0]) * 1000 / measured,
        "empty_state_bytes_per_1000": (after[1] - before[1]) * 1000 / measured,
        "transfer_bytes_per_1000": (transfers[0] - after[0]) * 1000 / max(transfer_blocks, 1),
        "transfer_state_bytes_per_1000": (transfers[1] - after[1]) * 1000 / max(transfer_blocks, 1),
        "rss_growth_mib_per_10k": (after[2] - before[2]) * 10_000 / measured,
    }


def worker_run(genesis_hash: bytes, blocks: Path) -> dict[str, float]:
    """Import streamed blocks through a light client; RSS at 10k and at the end (child)."""
    client = LightClient(genesis_hash)
    at_baseline = 0.0
    with blocks.open("rb") as source:
        while size := source.read(4):
            header, justification, changes = _BLOCK.decode(
                source.read(int.from_bytes(size, "little"))
            )
            client.import_block(SyncBlock(header, justification, dict(changes)))
            if header.number == WORKER_BASELINE_BLOCK:
                at_baseline = rss_mib()
    return {"rss_at_baseline_mib": at_baseline, "rss_end_mib": rss_mib(), "height": client.height}


def _child(code: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


_NODE = (
    "import json, sys; from pathlib import Path; from khala.bench.growth import node_run; "
    "p = None if sys.argv[2] == 'archive' else int(sys.argv[2]); "
    "e = None if sys.argv[5] == '-' else Path(sys.argv[5]); "
    "print(json.dumps(node_run(Path(sys.argv[1]), p, int(sys.argv[3]), int(sys.argv[4]), e)))"
)
_WORKER = (
    "import json, sys; from pathlib import Path; from khala.bench.growth import worker_run; "
    "print(json.dumps(worker_run(bytes.fromhex(sys.argv[1]), Path(sys.argv[2]))))"
)


def run_growth_benchmark(
    *, node_blocks: int = 5_000, transfer_blocks: int = 100, worker_blocks: int = 100_000
) -> dict[str, Any]:
    """Node disk and RSS growth (pruned and archive) and worker RSS growth."""
    genesis_hash = Chain(MemoryChainStore(), dev_genesis()).genesis_hash
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="khala-growth-") as scratch:
        root = Path(scratch)
        for mode in ("256", "archive"):
            node = _child(
                _NODE, str(root / f"node-{mode}"), mode, str(node_blocks), str(transfer_blocks), "-"
            )
            figures[mode] = node
        blocks = root / "worker-blocks.bin"
        _child(_NODE, str(root / "worker-source"), "256", str(worker_blocks), "0", str(blocks))
        worker = _child(_WORKER, genesis_hash.hex(), str(blocks))
    pruned, archive = figures["256"], figures["archive"]
    growth = worker["rss_end_mib"] - worker["rss_at_baseline_mib"]

    def node_figures(run: dict[str, float]) -> dict[str, float]:
        return {
            "disk_bytes_per_1000_empty_blocks": round(run["empty_bytes_per_1000"]),
            "state_bytes_per_1000_empty_blocks": round(run["empty_state_bytes_per_1000"]),
            "disk_bytes_per_1000_blocks_100_transfers": round(run["transfer_bytes_per_1000"]),
            "state_bytes_per_1000_blocks_100_transfers": round(
                run["transfer_state_bytes_per_1000"]
            ),
            "node_rss_growth_mib_per_10k_blocks": round(run["rss_growth_mib_per_10k"], 2),
        }

    return {
        **node_figures(pruned),
        "worker_rss_growth_mib_10k_to_100k": round(growth, 2),
        "archive": node_figures(archive),
        "node_blocks": node_blocks,
        "measured_from_block": STEADY_AFTER,
        "transfer_blocks": transfer_blocks,
        "worker_blocks": worker["height"],
        "machine": machine(),
    }
