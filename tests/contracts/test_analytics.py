"""The Web3 Analytics example: encrypted page views in, only aggregates out."""

from __future__ import annotations

import os
from pathlib import Path

import wasmtime

from khala.contracts.abi import InkMetadata
from khala.contracts.cluster import ClusterRuntime
from khala.contracts.engine import WasmEngine
from khala.contracts.pink_memory import MemoryPinkBackend
from khala.offchain.contract_keys import cluster_key, contract_key, seal_command
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import encode
from khala.runtime.modules.phat import payloads
from khala.runtime.modules.phat.ids import cluster_id, contract_id
from khala.runtime.modules.phat.types import ClusterInfo, Public

from .conftest import ALICE, BOB

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "analytics"
CLUSTER = cluster_id(1)
MASTER = b"\x61" * 32


def test_views_and_unique_visitors(engine: WasmEngine) -> None:
    wasm = wasmtime.wat2wasm((EXAMPLE / "analytics.wat").read_text())
    metadata = InkMetadata.load(EXAMPLE / "analytics.json")
    runtime = ClusterRuntime(
        engine,
        CLUSTER,
        cluster_key(MASTER, CLUSTER),
        ClusterInfo(ALICE, Public(), 1, 0, 0),
        MemoryPinkBackend(),
    )
    runtime.apply(payloads.Deposited(CLUSTER, ALICE, 10**15), 1, 0)
    runtime.apply(payloads.Deposited(CLUSTER, BOB, 10**15), 1, 0)
    assert runtime.apply(payloads.CodeUploaded(CLUSTER, ALICE, wasm), 1, 0).ok
    code_hash = blake2_256(wasm)
    address = contract_id(ALICE, code_hash, CLUSTER, b"")
    new = metadata.encode_call(metadata.constructor("new"), [])
    request = payloads.InstantiateRequest(
        CLUSTER, address, ALICE, code_hash, new, b"", 0, 10**9, None
    )
    assert runtime.apply(request, 1, 0).ok
    ecdh = contract_key(cluster_key(MASTER, CLUSTER), address).ecdh_public

    def view(page: str, day: int, visitor: bytes) -> None:
        data = metadata.encode_call(metadata.message("record"), [page, day, visitor])
        body = payloads.CommandBody(data, 0, 10**9, None, os.urandom(32))
        sealed = seal_command(ecdh, encode(body), os.urandom(44), address)
        assert runtime.apply(payloads.Command(CLUSTER, address, BOB, sealed), 2, 0).ok

    def count(message: str, page: str, day: int) -> int:
        data = metadata.encode_call(metadata.message(message), [page, day])
        answer = runtime.query(address, ALICE, data, block=2, now_ms=0, deadline_s=5)
        value = metadata.decode_return(metadata.message(message), answer.data)
        return int(value["Ok"])

    visitors = [os.urandom(32) for _ in range(3)]
    for visitor in visitors + visitors[:2]:  # two return visits
        view("/home", 20260, visitor)
    view("/about", 20260, visitors[0])
    view("/home", 20261, visitors[0])
    view("/" + "x" * 100, 20260, visitors[1])  # a path long enough for a two-byte length
    assert (count("views", "/home", 20260), count("uniques", "/home", 20260)) == (5, 3)
    assert (count("views", "/about", 20260), count("uniques", "/about", 20260)) == (1, 1)
    assert (count("views", "/home", 20261), count("uniques", "/home", 20261)) == (1, 1)
    assert count("uniques", "/" + "x" * 100, 20260) == 1
    assert count("views", "/nowhere", 20260) == 0
    # Nothing in the state names a visitor: only hashes keyed by the contract's secret.
    everything = b"".join(key + value for key, value in runtime.state.items())
    assert not any(visitor in everything for visitor in visitors)
    garbage = runtime.query(
        address, ALICE, b"\xad\x11\xaf\xc4\xff", block=2, now_ms=0, deadline_s=5
    )
    assert garbage.reverted  # malformed input: ink!'s CouldNotReadInput
