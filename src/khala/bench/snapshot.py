"""Snapshot benchmark: export and import time and size for a state of N accounts.

A dev genesis endowing ``accounts`` extra accounts is written into LMDB (the node's start,
not timed), a block is authored on it, and its finalized state is exported to a snapshot and
imported into a new LMDB base path with every check (chain, justification, state root,
checksum). Reported: seconds for each, the file's bytes and items.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from khala.bench.timing import machine
from khala.node.chain import Chain
from khala.node.lmdb_store import LmdbChainStore
from khala.node.snapshot_ops import export_snapshot, import_snapshot
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.hashing import blake2_256
from khala.runtime.genesis import GenesisConfig, dev_genesis
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT


def _genesis(accounts: int) -> GenesisConfig:
    base = dev_genesis()
    filler = [
        (blake2_256(b"khala-bench-filler" + index.to_bytes(8, "little")), EXISTENTIAL_DEPOSIT)
        for index in range(accounts)
    ]
    return replace(base, endowed=(*base.endowed, *filler))


def run_snapshot_benchmark(*, accounts: int = 1_000_000) -> dict[str, Any]:
    """Time exporting and importing the state of ``accounts`` accounts."""
    genesis = _genesis(accounts)
    with tempfile.TemporaryDirectory(prefix="khala-snapshot-bench-") as scratch_name:
        scratch = Path(scratch_name)
        source = Chain(LmdbChainStore(scratch / "source", sync=False), genesis)
        authority = keypair_from_uri("//Alice", KeyScheme.ED25519)
        source.author(authority, slot=1, now_ms=1_700_000_002_000, candidates=[])
        path = scratch / "state.snapshot"
        start = time.perf_counter()
        exported = export_snapshot(source.store, genesis, path)
        export_s = time.perf_counter() - start
        source.store.close()
        target = LmdbChainStore(scratch / "target", sync=False)
        start = time.perf_counter()
        imported = import_snapshot(target, genesis, path)
        import_s = time.perf_counter() - start
        reopened = Chain(target, genesis)
        if reopened.head.state_root != source.head.state_root:
            raise RuntimeError("the imported state differs from the exported one")
        target.close()
    return {
        "accounts": accounts,
        "items": exported.items,
        "bytes": exported.bytes,
        "export_s": round(export_s, 2),
        "import_s": round(import_s, 2),
        "block": imported.number,
        "machine": machine(),
    }
