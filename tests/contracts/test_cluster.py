"""A cluster's replay: two workers agree by state root; commands are encrypted; gas is paid."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from khala.contracts.cluster import Applied, ClusterRuntime
from khala.contracts.engine import WasmEngine
from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.pink_memory import MemoryPinkBackend
from khala.offchain.contract_keys import cluster_key, contract_key, seal_command
from khala.primitives.crypto import KeyScheme, verify
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import decode, encode
from khala.runtime.modules.mq.calls import signed_payload
from khala.runtime.modules.mq.types import ClusterOrigin, ContractOrigin
from khala.runtime.modules.phat import payloads
from khala.runtime.modules.phat.ids import cluster_account, cluster_id, contract_id
from khala.runtime.modules.phat.types import ClusterInfo, Public

from .conftest import ALICE, BOB, ink

MASTER = b"\x4d" * 32
CLUSTER = cluster_id(1)
INFO = ClusterInfo(ALICE, Public(), 2, 1, 1)
GAS = 10**8


def runtime(engine: WasmEngine, master: bytes = MASTER) -> ClusterRuntime:
    return ClusterRuntime(engine, CLUSTER, cluster_key(master, CLUSTER), INFO, MemoryPinkBackend())


def command(contract: bytes, data: bytes, *, gas: int = GAS, master: bytes = MASTER) -> bytes:
    """A user's command sealed to the contract's published ECDH key."""
    key = contract_key(cluster_key(master, CLUSTER), contract)
    body = payloads.CommandBody(data, 0, gas, None, os.urandom(32))
    return seal_command(key.ecdh_public, encode(body), os.urandom(44), contract)


def deploy(
    rt: ClusterRuntime, wasm: bytes, data: bytes, salt: bytes = b""
) -> tuple[bytes, Applied]:
    """Fund Alice, upload ``wasm`` and instantiate it; the address and the result."""
    rt.apply(payloads.Deposited(CLUSTER, ALICE, 10**12), 1, 0)
    assert rt.apply(payloads.CodeUploaded(CLUSTER, ALICE, wasm), 1, 0).ok
    code_hash = blake2_256(wasm)
    address = contract_id(ALICE, code_hash, CLUSTER, salt)
    request = payloads.InstantiateRequest(
        CLUSTER, address, ALICE, code_hash, data, salt, 0, GAS, None
    )
    return address, rt.apply(request, 2, 12_000)


def test_two_workers_reach_the_same_root_and_messages(engine: WasmEngine, shared: Path) -> None:
    wasm, metadata = ink(shared, "v4_flipper")
    first, second = runtime(engine), runtime(engine)
    new = metadata.encode_call(metadata.constructor("new"), [False])
    results = []
    for rt in (first, second):
        address, applied = deploy(rt, wasm, new)
        results.append(applied)
    assert results[0].ok and results[0].messages == results[1].messages  # byte-identical
    [report] = results[0].messages
    assert report.message.sender == ClusterOrigin(CLUSTER)
    assert decode(payloads.InstantiationReport, report.message.payload).ok
    signing = cluster_key(MASTER, CLUSTER).signing
    assert verify(
        KeyScheme.ED25519, signing.public_key, signed_payload(report.message, 0), report.signature
    )

    flip = command(address, metadata.encode_call(metadata.message("flip"), []))
    for rt in (first, second):
        assert (
            rt.apply(payloads.Command(CLUSTER, address, BOB, flip), 3, 24_000).ok is False
        )  # BOB has no gas money
        rt.apply(payloads.Deposited(CLUSTER, BOB, 10**12), 3, 24_000)
        assert rt.apply(payloads.Command(CLUSTER, address, BOB, flip), 3, 24_000).ok
    assert first.root() == second.root()
    get = metadata.encode_call(metadata.message("get"), [])
    answer = first.query(address, BOB, get, block=3, now_ms=0, deadline_s=5)
    assert metadata.decode_return(metadata.message("get"), answer.data) == {"Ok": True}
    root = first.root()
    first.query(
        address,
        BOB,
        metadata.encode_call(metadata.message("flip"), []),
        block=3,
        now_ms=0,
        deadline_s=5,
    )
    assert first.root() == root  # a query keeps nothing


def test_gas_is_paid_to_the_cluster(engine: WasmEngine, shared: Path) -> None:
    wasm, metadata = ink(shared, "v4_flipper")
    rt = runtime(engine)
    address, applied = deploy(rt, wasm, metadata.encode_call(metadata.constructor("new"), [False]))
    assert applied.ok
    rt.apply(payloads.Deposited(CLUSTER, BOB, GAS * 2), 3, 0)
    before = rt.state.balance(BOB)
    treasury = rt.state.balance(cluster_account(CLUSTER))
    assert rt.apply(
        payloads.Command(
            CLUSTER,
            address,
            BOB,
            command(address, metadata.encode_call(metadata.message("flip"), [])),
        ),
        3,
        0,
    ).ok
    paid = before - rt.state.balance(BOB)
    assert paid > 0 and paid % INFO.gas_price == 0
    assert rt.state.balance(cluster_account(CLUSTER)) - treasury == paid
    rt.state.set_balance(BOB, GAS * 2 - 1)
    refused = rt.apply(payloads.Command(CLUSTER, address, BOB, command(address, b"")), 3, 0)
    assert not refused.ok and ContractErrorCode.GAS_FEE_NOT_COVERED.value in refused.detail


def test_outsiders_and_tampering_cannot_command(engine: WasmEngine, shared: Path) -> None:
    wasm, metadata = ink(shared, "v4_flipper")
    rt = runtime(engine)
    address, _ = deploy(rt, wasm, metadata.encode_call(metadata.constructor("new"), [False]))
    rt.apply(payloads.Deposited(CLUSTER, BOB, 10**12), 3, 0)
    root = rt.root()
    flip = metadata.encode_call(metadata.message("flip"), [])
    foreign = command(address, flip, master=b"\x01" * 32)  # sealed to another cluster's key
    assert not rt.apply(payloads.Command(CLUSTER, address, BOB, foreign), 3, 0).ok
    sealed = bytearray(command(address, flip))
    sealed[-1] ^= 1
    assert not rt.apply(payloads.Command(CLUSTER, address, BOB, bytes(sealed)), 3, 0).ok
    other_contract = command(b"\x07" * 32, flip)  # bound to another contract's address
    assert not rt.apply(payloads.Command(CLUSTER, address, BOB, other_contract), 3, 0).ok
    assert rt.root() == root
    # A worker of another cluster (another key) cannot open this cluster's commands.
    outsider = runtime(engine, master=b"\x02" * 32)
    deploy(outsider, wasm, metadata.encode_call(metadata.constructor("new"), [False]))
    assert not outsider.apply(
        payloads.Command(CLUSTER, address, BOB, command(address, flip)), 3, 0
    ).ok


def test_failed_constructors_are_reported(engine: WasmEngine, probe_wasm: bytes) -> None:
    rt = runtime(engine)
    _, trapped = deploy(rt, probe_wasm, b"\x03x", b"a")
    assert not trapped.ok and ContractErrorCode.TRAPPED.value in trapped.detail
    _, reverted = deploy(rt, probe_wasm, b"\x02no", b"b")
    report = decode(payloads.InstantiationReport, reverted.messages[0].message.payload)
    assert not report.ok and report.reason.startswith(ContractErrorCode.REVERTED.value)
    assert [m.sequence for m in (trapped.messages + reverted.messages)] == [0, 1]


def test_command_events_are_signed_by_the_contract(engine: WasmEngine, shared: Path) -> None:
    wasm, metadata = ink(shared, "v4_erc20")
    rt = runtime(engine)
    address, applied = deploy(rt, wasm, metadata.encode_call(metadata.constructor("new"), [1000]))
    assert applied.ok and len(applied.messages) == 2  # the report and the mint's Transfer event
    sent = command(address, metadata.encode_call(metadata.message("transfer"), [BOB, 5]))
    result = rt.apply(payloads.Command(CLUSTER, address, ALICE, sent), 3, 0)
    [event] = result.messages
    assert event.message.sender == ContractOrigin(address)
    body = decode(payloads.ContractEventPayload, event.message.payload)
    decoded = metadata.decode_event([bytes(t) for t in body.topics], body.data)
    assert (decoded.label, decoded.fields["value"]) == ("Transfer", 5)
    signing = contract_key(cluster_key(MASTER, CLUSTER), address).signing
    assert verify(
        KeyScheme.ED25519,
        signing.public_key,
        signed_payload(event.message, event.sequence),
        event.signature,
    )


def test_a_trapping_command_rolls_back_but_pays_gas(engine: WasmEngine, probe_wasm: bytes) -> None:
    rt = runtime(engine)
    address, applied = deploy(rt, probe_wasm, b"\x01first")
    assert applied.ok
    rt.apply(payloads.Deposited(CLUSTER, BOB, 10**12), 3, 0)
    before = rt.state.balance(BOB)
    result = rt.apply(
        payloads.Command(CLUSTER, address, BOB, command(address, b"\x03second")), 3, 0
    )
    assert not result.ok and ContractErrorCode.TRAPPED.value in result.detail
    assert rt.state.storage(address, b"k") == b"first"
    assert rt.state.balance(BOB) < before


def test_query_deadline(engine: WasmEngine, probe_wasm: bytes) -> None:
    rt = runtime(engine)
    address, _ = deploy(rt, probe_wasm, b"\x00")
    with pytest.raises(ContractError) as caught:
        rt.query(address, BOB, b"\x04loop", block=1, now_ms=0, deadline_s=0.2)
    assert caught.value.code is ContractErrorCode.DEADLINE
