"""Bad input never escapes as IndexError or struct.error: only a typed ScaleError with offset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khala.primitives.scale import (
    H256,
    U8,
    U32,
    U64,
    U128,
    Compact,
    CompactU32,
    ScaleError,
    ScaleErrorCode,
    codec_of,
    decode_compact,
)
from tests.primitives.scale.test_roundtrip import Everything, Shape, Tree


@pytest.mark.parametrize(
    ("annotation", "raw", "code", "offset"),
    [
        (U32, b"\x01\x02", ScaleErrorCode.UNEXPECTED_END, 0),
        (U128, b"\x00" * 15, ScaleErrorCode.UNEXPECTED_END, 0),
        (bool, b"\x02", ScaleErrorCode.INVALID_BOOL, 0),
        (U32 | None, b"\x02", ScaleErrorCode.INVALID_OPTION, 0),
        (str, b"\x08\xff\xfe", ScaleErrorCode.INVALID_UTF8, 0),
        (bytes, b"\x10ab", ScaleErrorCode.UNEXPECTED_END, 1),
        (list[U64], b"\xfe\xff\x03\x00", ScaleErrorCode.LENGTH_TOO_LARGE, 0),
        (Shape, b"\x03", ScaleErrorCode.UNKNOWN_VARIANT, 0),
        (U8, b"\x01\x02", ScaleErrorCode.TRAILING_BYTES, 1),
        (CompactU32, b"\x07\x00\x00\x00\x00\x01", ScaleErrorCode.COMPACT_OVERFLOW, 0),
    ],
)
def test_decode_errors_name_code_and_offset(
    annotation: Any, raw: bytes, code: ScaleErrorCode, offset: int
) -> None:
    """Each malformed input raises its documented code at the offset where it went wrong."""
    with pytest.raises(ScaleError) as caught:
        codec_of(annotation).decode(raw)
    assert caught.value.code is code
    assert caught.value.offset == offset
    assert f"at byte offset {offset}" in caught.value.message


@pytest.mark.parametrize(
    "raw",
    [
        b"\x01\x00",  # two-byte mode holding 0, which fits one byte
        b"\x02\x00\x00\x00",  # four-byte mode holding 0
        b"\x03\xff\xff\xff\x00",  # big mode holding a value below 2**30
        b"\x07\x00\x00\x00\x40\x00",  # big mode with a zero top byte
    ],
)
def test_non_canonical_compact_is_rejected(raw: bytes) -> None:
    """Over-long compact encodings are refused, as parity-scale-codec refuses them."""
    with pytest.raises(ScaleError) as caught:
        decode_compact(raw, 0)
    assert caught.value.code is ScaleErrorCode.NON_CANONICAL_COMPACT


@pytest.mark.parametrize(
    ("annotation", "value", "code"),
    [
        (U8, 256, ScaleErrorCode.VALUE_OUT_OF_RANGE),
        (U32, -1, ScaleErrorCode.VALUE_OUT_OF_RANGE),
        (U128, 2**128, ScaleErrorCode.VALUE_OUT_OF_RANGE),
        (Compact, -5, ScaleErrorCode.VALUE_OUT_OF_RANGE),
        (CompactU32, 2**32, ScaleErrorCode.VALUE_OUT_OF_RANGE),
        (bool, 1, ScaleErrorCode.WRONG_TYPE),
        (bytes, "text", ScaleErrorCode.WRONG_TYPE),
        (Tree, "not a tree", ScaleErrorCode.WRONG_TYPE),
    ],
)
def test_encode_rejects_bad_values(annotation: Any, value: Any, code: ScaleErrorCode) -> None:
    """Values that do not fit the declared type raise a typed error, never struct.error."""
    with pytest.raises(ScaleError) as caught:
        codec_of(annotation).encode(value)
    assert caught.value.code is code


def test_struct_field_out_of_range_is_typed() -> None:
    """An out-of-range field inside a packed run of a struct names the struct."""
    with pytest.raises(ScaleError) as caught:
        codec_of(Tree).encode(Tree(2**32, []))
    assert caught.value.code is ScaleErrorCode.VALUE_OUT_OF_RANGE


def test_bare_int_annotation_is_refused() -> None:
    """A bare ``int`` has no width; the error says how to declare one."""
    with pytest.raises(ScaleError) as caught:
        codec_of(int)
    assert caught.value.code is ScaleErrorCode.UNSUPPORTED_TYPE
    assert "U32" in caught.value.message


_FUZZ_TARGETS = [Everything, Shape, Tree, list[U64 | None], tuple[str, bytes], Compact]


@pytest.mark.parametrize("annotation", _FUZZ_TARGETS)
def test_random_bytes_decode_to_value_or_typed_error(annotation: Any) -> None:
    """Fuzz: random bytes give a value that re-encodes identically, or a ScaleError."""
    codec = codec_of(annotation)

    @given(st.binary(max_size=200))
    def check(raw: bytes) -> None:
        try:
            value = codec.decode(raw)
        except ScaleError as error:
            assert error.offset is None or 0 <= error.offset <= len(raw)
            return
        assert codec.encode(value) == raw

    check()


@dataclass(frozen=True, slots=True)
class Inlined:
    """Fields of every kind the struct generator inlines, between packed integers."""

    head: U32
    flag: bool
    wide: U128
    digest: H256
    count: CompactU32
    blob: bytes
    tail: U8


_INLINED_FIELDS: list[tuple[Any, bytes]] = [
    (bool, b"\x07"),
    (U128, b"\x00" * 3),
    (H256, b"\x00" * 31),
    (CompactU32, b"\x03\x00\x00\x00\x00\x01"),
    (bytes, b"\x0c\x00"),
]


@pytest.mark.parametrize(("annotation", "bad_field"), _INLINED_FIELDS)
def test_inlined_fields_raise_the_same_error_as_their_codec(
    annotation: Any, bad_field: bytes
) -> None:
    """A struct's inlined decode fails with the field codec's own code, offset shifted."""
    with pytest.raises(ScaleError) as alone:
        codec_of(annotation).decode(bad_field)
    prefix = b"\x01\x00\x00\x00"
    fields = [bool, U128, H256, CompactU32, bytes]
    valid = [b"\x01", b"\x00" * 16, b"\x00" * 32, b"\x00", b"\x00"]
    position = fields.index(annotation)
    raw = prefix + b"".join(valid[:position]) + bad_field
    with pytest.raises(ScaleError) as inside:
        codec_of(Inlined).decode(raw)
    assert inside.value.code is alone.value.code
    assert inside.value.offset == len(raw) - len(bad_field) + (alone.value.offset or 0)
