"""Our encodings equal scalecodec's byte for byte, and we decode what scalecodec encodes.

scalecodec (the codec under substrate-interface) is an independent implementation; it is only
an oracle here and never imported by ``src/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfiguration
from scalecodec.type_registry import load_type_registry_preset

from khala.primitives.scale import (
    H256,
    I16,
    I64,
    I128,
    U8,
    U16,
    U32,
    U64,
    U128,
    Compact,
    CompactU32,
    ScaleEnum,
    codec_of,
    variant,
)


@dataclass(frozen=True, slots=True)
class Transfer:
    """A struct declared on our side and as a type_mapping on scalecodec's."""

    source: H256
    amount: U128
    nonce: CompactU32
    memo: bytes
    tip: U64 | None
    tags: list[U16]


class Action(ScaleEnum):
    """An enum declared on both sides."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Stop(Action):
    """Unit variant."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Move(Action):
    """Single-field variant."""

    distance: U32


@pytest.fixture(scope="module")
def runtime() -> Any:
    config = RuntimeConfiguration()
    config.update_type_registry(load_type_registry_preset("legacy"))
    config.update_type_registry(
        {
            "types": {
                "KhalaTransfer": {
                    "type": "struct",
                    "type_mapping": [
                        ["source", "[u8; 32]"],
                        ["amount", "u128"],
                        ["nonce", "Compact<u32>"],
                        ["memo", "Bytes"],
                        ["tip", "Option<u64>"],
                        ["tags", "Vec<u16>"],
                    ],
                },
                "KhalaAction": {
                    "type": "enum",
                    "type_mapping": [["Stop", "Null"], ["Move", "u32"]],
                },
            }
        }
    )
    return config


def _theirs(runtime: Any, type_string: str, value: Any) -> bytes:
    return bytes(runtime.create_scale_object(type_string).encode(value).data)


_SCALARS: list[tuple[Any, str, Any]] = [
    (U8, "u8", st.integers(0, 2**8 - 1)),
    (U16, "u16", st.integers(0, 2**16 - 1)),
    (U32, "u32", st.integers(0, 2**32 - 1)),
    (U64, "u64", st.integers(0, 2**64 - 1)),
    (U128, "u128", st.integers(0, 2**128 - 1)),
    (I16, "i16", st.integers(-(2**15), 2**15 - 1)),
    (I64, "i64", st.integers(-(2**63), 2**63 - 1)),
    (I128, "i128", st.integers(-(2**127), 2**127 - 1)),
    (Compact, "Compact<u128>", st.integers(0, 2**128 - 1)),
    (bool, "bool", st.booleans()),
    (str, "Text", st.text(max_size=100)),
    (list[U32], "Vec<u32>", st.lists(st.integers(0, 2**32 - 1), max_size=80)),
    (U32 | None, "Option<u32>", st.none() | st.integers(0, 2**32 - 1)),
    (tuple[U8, U64], "(u8, u64)", st.tuples(st.integers(0, 255), st.integers(0, 2**64 - 1))),
]


@pytest.mark.parametrize(("annotation", "type_string", "strategy"), _SCALARS)
def test_scalar_and_container_bytes_equal_scalecodec(
    runtime: Any, annotation: Any, type_string: str, strategy: Any
) -> None:
    """Each kind encodes to scalecodec's bytes, and we decode scalecodec's bytes back."""

    @given(strategy)
    def check(value: Any) -> None:
        theirs = _theirs(runtime, type_string, list(value) if isinstance(value, tuple) else value)
        codec = codec_of(annotation)
        assert codec.encode(value) == theirs
        assert codec.decode(theirs) == value

    check()


@given(st.binary(max_size=300))
def test_bytes_equal_scalecodec(runtime: Any, blob: bytes) -> None:
    """Vec<u8> (long prefixes included) equals scalecodec's Bytes."""
    assert codec_of(bytes).encode(blob) == _theirs(runtime, "Bytes", "0x" + blob.hex())


_transfers = st.builds(
    Transfer,
    source=st.binary(min_size=32, max_size=32),
    amount=st.integers(0, 2**128 - 1),
    nonce=st.integers(0, 2**32 - 1),
    memo=st.binary(max_size=40),
    tip=st.none() | st.integers(0, 2**64 - 1),
    tags=st.lists(st.integers(0, 2**16 - 1), max_size=5),
)


@given(_transfers)
def test_struct_bytes_equal_scalecodec(runtime: Any, transfer: Transfer) -> None:
    """A declared struct encodes exactly as scalecodec's type_mapping of the same shape."""
    theirs = _theirs(
        runtime,
        "KhalaTransfer",
        {
            "source": "0x" + transfer.source.hex(),
            "amount": transfer.amount,
            "nonce": transfer.nonce,
            "memo": "0x" + transfer.memo.hex(),
            "tip": transfer.tip,
            "tags": transfer.tags,
        },
    )
    codec = codec_of(Transfer)
    assert codec.encode(transfer) == theirs
    assert codec.decode(theirs) == transfer


@given(st.one_of(st.just(Stop()), st.builds(Move, st.integers(0, 2**32 - 1))))
def test_enum_bytes_equal_scalecodec(runtime: Any, action: Action) -> None:
    """A ScaleEnum variant encodes as scalecodec's enum of the same variants."""
    value: Any = "Stop" if isinstance(action, Stop) else {"Move": action.distance}
    theirs = _theirs(runtime, "KhalaAction", value)
    assert codec_of(Action).encode(action) == theirs
    assert codec_of(Action).decode(theirs) == action
