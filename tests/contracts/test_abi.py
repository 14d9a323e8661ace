"""The ink! ABI codec against real v4/v5 metadata: call data, results, events, bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khala.contracts.abi import InkMetadata, PortableCodec
from khala.contracts.errors import AbiError, AbiErrorCode
from khala.primitives.ss58 import ss58_encode

from .conftest import ink


@pytest.fixture(scope="module")
def erc20(shared: Path) -> InkMetadata:
    return ink(shared, "v4_erc20")[1]


@pytest.mark.parametrize("name", ["v4_flipper", "v4_erc20", "v5_flipper"])
def test_metadata_code_hash_is_blake2_of_the_wasm(shared: Path, name: str) -> None:
    wasm, metadata = ink(shared, name)
    assert metadata.code_hash == hashlib.blake2b(wasm, digest_size=32).digest()
    assert metadata.version == int(name[1])


def test_selectors_and_call_data(erc20: InkMetadata) -> None:
    transfer = erc20.message("transfer")
    assert transfer.selector == bytes.fromhex("84a15da1")
    assert erc20.message("0x84a15da1") is transfer
    to = bytes(range(32))
    data = erc20.encode_call(transfer, {"to": to, "value": 5})
    assert data == bytes.fromhex("84a15da1") + to + (5).to_bytes(16, "little")
    assert erc20.encode_call(transfer, [to, 5]) == data
    assert erc20.encode_call(transfer, ["0x" + to.hex(), 5]) == data
    assert erc20.encode_call(transfer, [ss58_encode(to), 5]) == data
    assert erc20.decode_call(data) == ("transfer", {"to": to, "value": 5})


@given(st.binary(min_size=32, max_size=32), st.integers(0, 2**128 - 1))
def test_transfer_arguments_round_trip(shared_erc20: InkMetadata, to: bytes, value: int) -> None:
    data = shared_erc20.encode_call(shared_erc20.message("transfer"), [to, value])
    assert shared_erc20.decode_call(data) == ("transfer", {"to": to, "value": value})


@pytest.fixture(scope="module")
def shared_erc20(erc20: InkMetadata) -> InkMetadata:
    return erc20


def test_results_keep_the_message_result_shape(erc20: InkMetadata) -> None:
    transfer = erc20.message("transfer")
    assert erc20.decode_return(transfer, b"\x00\x00") == {"Ok": {"Ok": None}}
    assert erc20.decode_return(transfer, b"\x00\x01\x00") == {"Ok": {"Err": "InsufficientBalance"}}
    assert erc20.decode_return(transfer, b"\x01\x01") == {"Err": "CouldNotReadInput"}
    with pytest.raises(AbiError) as caught:
        erc20.decode_return(transfer, b"\x00\x00\x00")
    assert caught.value.code is AbiErrorCode.DECODE_FAILED
    with pytest.raises(AbiError):
        erc20.decode_return(transfer, b"\x00\x01\x09")  # no such error variant


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"to": bytes(32)}, AbiErrorCode.WRONG_ARGUMENTS),
        ({"to": bytes(32), "value": 1, "extra": 2}, AbiErrorCode.WRONG_ARGUMENTS),
        ([bytes(32)], AbiErrorCode.WRONG_ARGUMENTS),
        ({"to": bytes(31), "value": 1}, AbiErrorCode.INVALID_VALUE),
        ({"to": bytes(32), "value": -1}, AbiErrorCode.INVALID_VALUE),
        ({"to": bytes(32), "value": 2**128}, AbiErrorCode.INVALID_VALUE),
        ({"to": bytes(32), "value": True}, AbiErrorCode.INVALID_VALUE),
        ({"to": "not an address", "value": 1}, AbiErrorCode.INVALID_VALUE),
    ],
)
def test_bad_arguments_are_typed(erc20: InkMetadata, args: object, code: AbiErrorCode) -> None:
    with pytest.raises(AbiError) as caught:
        erc20.encode_call(erc20.message("transfer"), args)  # type: ignore[arg-type]
    assert caught.value.code is code


def test_unknown_messages_name_the_choices(erc20: InkMetadata) -> None:
    with pytest.raises(AbiError) as caught:
        erc20.message("mint")
    assert caught.value.code is AbiErrorCode.UNKNOWN_MESSAGE
    assert "transfer" in caught.value.message
    with pytest.raises(AbiError):
        erc20.decode_call(b"\x00\x00\x00\x00")


def test_v4_events_decode_by_index(erc20: InkMetadata) -> None:
    to = b"\x02" * 32
    data = b"\x00" + b"\x00" + b"\x01" + to + (9).to_bytes(16, "little")
    event = erc20.decode_event([], data)
    assert (event.label, event.fields) == ("Transfer", {"from": None, "to": to, "value": 9})
    with pytest.raises(AbiError) as caught:
        erc20.decode_event([], b"\x07")
    assert caught.value.code is AbiErrorCode.UNKNOWN_EVENT


def test_v5_events_decode_by_signature_topic(shared: Path) -> None:
    document = json.loads((shared / "ink-contracts" / "v5_flipper.json").read_text())
    topic = "0x" + "ab" * 32
    document["spec"]["events"] = [
        {
            "label": "Flipped",
            "args": [{"label": "to", "indexed": False, "type": {"type": 0}}],
            "signature_topic": topic,
        }
    ]
    metadata = InkMetadata(document)
    event = metadata.decode_event([bytes.fromhex(topic[2:])], b"\x01")
    assert (event.label, event.fields) == ("Flipped", {"to": True})
    with pytest.raises(AbiError):
        metadata.decode_event([b"\x00" * 32], b"\x01")


def test_unsupported_metadata_is_refused(shared: Path) -> None:
    document = json.loads((shared / "ink-contracts" / "v4_flipper.json").read_text())
    for broken in ({**document, "version": "3"}, {**document, "spec": {}}, {"version": 4}):
        with pytest.raises(AbiError) as caught:
            InkMetadata(broken)
        assert caught.value.code is AbiErrorCode.UNSUPPORTED_METADATA


def test_portable_shapes() -> None:
    types = [
        {"id": 0, "type": {"def": {"primitive": "u8"}}},
        {"id": 1, "type": {"def": {"sequence": {"type": 2}}}},
        {"id": 2, "type": {"def": {"primitive": "i16"}}},
        {"id": 3, "type": {"def": {"tuple": [2, 4]}}},
        {"id": 4, "type": {"def": {"primitive": "str"}}},
        {"id": 5, "type": {"def": {"compact": {"type": 6}}}},
        {"id": 6, "type": {"def": {"primitive": "u64"}}},
        {
            "id": 7,
            "type": {
                "def": {
                    "composite": {"fields": [{"name": "a", "type": 2}, {"name": "b", "type": 4}]}
                }
            },
        },
        {
            "id": 8,
            "type": {
                "def": {
                    "variant": {
                        "variants": [
                            {"name": "X", "index": 3},
                            {"name": "Y", "index": 5, "fields": [{"type": 2}]},
                        ]
                    }
                }
            },
        },
        {"id": 9, "type": {"def": {"array": {"len": 2, "type": 2}}}},
    ]
    codec = PortableCodec(types)
    for type_id, value in [
        (1, [-1, 2, 300]),
        (3, [-5, "hé"]),
        (5, 2**40),
        (7, {"a": 7, "b": ""}),
        (8, "X"),
        (8, {"Y": -2}),
        (9, [1, 2]),
    ]:
        encoded = codec.encode(type_id, value)
        decoded = codec.decode(type_id, encoded)
        assert decoded == value
    assert codec.encode(8, "X") == b"\x03"
    with pytest.raises(AbiError):
        codec.decode(99, b"")
    with pytest.raises(AbiError):
        codec.encode(9, [1])
