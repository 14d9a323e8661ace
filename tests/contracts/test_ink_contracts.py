"""Real ink! v4 and v5 builds deploy, take messages, answer reads and emit decodable events."""

from __future__ import annotations

from pathlib import Path

import pytest

from khala.contracts.world import Overlay

from .conftest import ALICE, BOB, Host, ink


@pytest.mark.parametrize("name", ["v4_flipper", "v5_flipper"])
def test_flipper_flips_and_reads_back(host: Host, shared: Path, name: str) -> None:
    wasm, metadata = ink(shared, name)
    code_hash = host.upload(wasm)
    assert code_hash == metadata.code_hash  # cargo-contract's hash of the same bytes

    created = host.instantiate(
        code_hash, metadata.encode_call(metadata.constructor("new"), [False])
    )
    assert not created.reverted
    assert metadata.decode_return(metadata.constructor("new"), created.data) == {"Ok": None}
    assert created.address is not None
    get, flip = metadata.message("get"), metadata.message("flip")

    def read() -> object:
        outcome = host.call(created.address, metadata.encode_call(get, []))  # type: ignore[arg-type]
        return metadata.decode_return(get, outcome.data)

    assert read() == {"Ok": False}
    flipped = host.call(created.address, metadata.encode_call(flip, []))
    assert metadata.decode_return(flip, flipped.data) == {"Ok": None}
    assert flipped.gas_consumed > 0
    assert read() == {"Ok": True}
    host.call(created.address, metadata.encode_call(flip, []))
    assert read() == {"Ok": False}


def test_flipper_default_constructor_and_unknown_selector(host: Host, shared: Path) -> None:
    wasm, metadata = ink(shared, "v4_flipper")
    code_hash = host.upload(wasm)
    created = host.instantiate(
        code_hash, metadata.encode_call(metadata.constructor("new_default"), [])
    )
    assert created.address is not None
    # ink! answers an unknown selector with a reverted LangError::CouldNotReadInput.
    outcome = host.call(created.address, b"\xde\xad\xbe\xef")
    assert outcome.reverted
    assert metadata.decode_return(metadata.message("get"), outcome.data) == {
        "Err": "CouldNotReadInput"
    }


def test_erc20_transfers_emit_events_and_reverts_change_nothing(host: Host, shared: Path) -> None:
    wasm, metadata = ink(shared, "v4_erc20")
    code_hash = host.upload(wasm)
    created = host.instantiate(code_hash, metadata.encode_call(metadata.constructor("new"), [1000]))
    assert created.address is not None
    address = created.address
    minted = [metadata.decode_event(e.topics, e.data) for e in created.events]
    assert [(e.label, e.fields) for e in minted] == [
        ("Transfer", {"from": None, "to": ALICE, "value": 1000})
    ]
    assert all(e.contract == address for e in created.events)

    transfer = metadata.message("transfer")
    sent = host.call(address, metadata.encode_call(transfer, {"to": BOB, "value": 300}))
    assert not sent.reverted
    assert metadata.decode_return(transfer, sent.data) == {"Ok": {"Ok": None}}
    assert [
        (e.label, e.fields)
        for e in map(lambda e: metadata.decode_event(e.topics, e.data), sent.events)
    ] == [("Transfer", {"from": ALICE, "to": BOB, "value": 300})]

    before = dict(host.world.items)
    refused = host.call(address, metadata.encode_call(transfer, {"to": BOB, "value": 5000}))
    assert refused.reverted
    assert metadata.decode_return(transfer, refused.data) == {"Ok": {"Err": "InsufficientBalance"}}
    assert refused.events == ()
    assert host.world.items == before

    balance_of = metadata.message("balance_of")
    for who, expected in ((ALICE, 700), (BOB, 300), (b"\x01" * 32, 0)):
        outcome = host.call(address, metadata.encode_call(balance_of, [who]))
        assert metadata.decode_return(balance_of, outcome.data) == {"Ok": expected}


def test_a_query_runs_on_an_overlay_and_leaves_the_world_alone(host: Host, shared: Path) -> None:
    wasm, metadata = ink(shared, "v4_flipper")
    code_hash = host.upload(wasm)
    created = host.instantiate(code_hash, metadata.encode_call(metadata.constructor("new"), [True]))
    assert created.address is not None
    before = dict(host.world.items)
    from khala.contracts.execution import Execution

    scratch = Overlay(host.world)
    execution = Execution(
        host.engine, scratch, host.env(in_query=True, deadline_s=5.0), gas_limit=10**7
    )
    outcome = execution.call(created.address, metadata.encode_call(metadata.message("flip"), []))
    assert not outcome.reverted
    assert host.world.items == before  # the scratch overlay was never committed
