"""Every SCALE kind round-trips: decode(encode(value)) == value, for generated values."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, Any

from hypothesis import given
from hypothesis import strategies as st

from khala.primitives.scale import (
    H256,
    I8,
    I16,
    I32,
    I64,
    I128,
    U8,
    U16,
    U32,
    U64,
    U128,
    U256,
    Compact,
    CompactU32,
    Err,
    Length,
    Ok,
    ScaleEnum,
    codec_of,
    decode,
    encode,
    variant,
)


class Color(enum.IntEnum):
    """A field-less enum with a gap in its indices."""

    RED = 0
    GREEN = 1
    BLUE = 7


class Shape(ScaleEnum):
    """An enum family with payload-carrying variants."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Empty(Shape):
    """A unit variant."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Circle(Shape):
    """A variant with one field."""

    radius: U32


@variant(5)
@dataclass(frozen=True, slots=True)
class Rectangle(Shape):
    """A variant with several fields, at a sparse index."""

    width: U64
    height: U64
    label: str


@dataclass(frozen=True, slots=True)
class Everything:
    """A struct with one field of every kind."""

    small: U8
    word: U16
    signed: I32
    big: U128
    amount: Compact
    flag: bool
    name: str
    blob: bytes
    digest: H256
    numbers: list[U32]
    maybe: U64 | None
    pair: tuple[U8, bool]
    triple: Annotated[tuple[U16, ...], Length(3)]
    color: Color
    shape: Shape
    outcome: Ok[U32] | Err[str]


@dataclass(frozen=True, slots=True)
class Tree:
    """A recursive struct."""

    value: U32
    children: list[Tree]


def _roundtrip(annotation: Any, value: Any) -> None:
    codec = codec_of(annotation)
    raw = codec.encode(value)
    assert codec.decode(raw) == value
    decoded, end = codec.decode_at(raw + b"\x99", 0)
    assert decoded == value
    assert end == len(raw)


@given(st.integers(0, 2**8 - 1), st.integers(0, 2**16 - 1), st.integers(0, 2**32 - 1))
def test_small_unsigned_roundtrip(a: int, b: int, c: int) -> None:
    """u8, u16 and u32 values survive encode/decode."""
    _roundtrip(U8, a)
    _roundtrip(U16, b)
    _roundtrip(U32, c)


@given(st.integers(0, 2**64 - 1), st.integers(0, 2**128 - 1), st.integers(0, 2**256 - 1))
def test_wide_unsigned_roundtrip(a: int, b: int, c: int) -> None:
    """u64, u128 and u256 values survive encode/decode."""
    _roundtrip(U64, a)
    _roundtrip(U128, b)
    _roundtrip(U256, c)


@given(
    st.integers(-(2**7), 2**7 - 1),
    st.integers(-(2**15), 2**15 - 1),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-(2**127), 2**127 - 1),
)
def test_signed_roundtrip(a: int, b: int, c: int, d: int) -> None:
    """i8, i16, i64 and i128 values survive encode/decode."""
    _roundtrip(I8, a)
    _roundtrip(I16, b)
    _roundtrip(I64, c)
    _roundtrip(I128, d)


@given(st.integers(0, 2**128 - 1), st.integers(0, 2**32 - 1))
def test_compact_roundtrip(value: int, small: int) -> None:
    """Compact integers survive encode/decode in every mode."""
    _roundtrip(Compact, value)
    _roundtrip(CompactU32, small)


@given(st.booleans(), st.text(), st.binary(max_size=300))
def test_bool_str_bytes_roundtrip(flag: bool, text: str, blob: bytes) -> None:
    """bool, String and Vec<u8> survive encode/decode, including long length prefixes."""
    _roundtrip(bool, flag)
    _roundtrip(str, text)
    _roundtrip(bytes, blob)


@given(
    st.lists(st.integers(0, 2**32 - 1), max_size=70),
    st.none() | st.integers(0, 2**64 - 1),
    st.tuples(st.integers(0, 255), st.booleans()),
)
def test_containers_roundtrip(
    numbers: list[int], maybe: int | None, pair: tuple[int, bool]
) -> None:
    """Vec, Option and tuples survive encode/decode."""
    _roundtrip(list[U32], numbers)
    _roundtrip(U64 | None, maybe)
    _roundtrip(tuple[U8, bool], pair)


_shapes = st.one_of(
    st.just(Empty()),
    st.builds(Circle, st.integers(0, 2**32 - 1)),
    st.builds(Rectangle, st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1), st.text()),
)
_outcomes = st.one_of(
    st.builds(Ok, st.integers(0, 2**32 - 1)), st.builds(Err, st.text(max_size=10))
)
_everything = st.builds(
    Everything,
    small=st.integers(0, 255),
    word=st.integers(0, 2**16 - 1),
    signed=st.integers(-(2**31), 2**31 - 1),
    big=st.integers(0, 2**128 - 1),
    amount=st.integers(0, 2**128 - 1),
    flag=st.booleans(),
    name=st.text(max_size=20),
    blob=st.binary(max_size=80),
    digest=st.binary(min_size=32, max_size=32),
    numbers=st.lists(st.integers(0, 2**32 - 1), max_size=5),
    maybe=st.none() | st.integers(0, 2**64 - 1),
    pair=st.tuples(st.integers(0, 255), st.booleans()),
    triple=st.tuples(*[st.integers(0, 2**16 - 1)] * 3),
    color=st.sampled_from(Color),
    shape=_shapes,
    outcome=_outcomes,
)


@given(_everything)
def test_struct_with_every_kind_roundtrips(value: Everything) -> None:
    """A struct mixing every kind (enums, results, arrays) survives encode/decode."""
    _roundtrip(Everything, value)
    assert decode(Everything, encode(value)) == value


@given(_shapes)
def test_enum_family_roundtrip_and_index(shape: Shape) -> None:
    """A ScaleEnum value encodes as its declared index byte, then its fields."""
    raw = encode(shape)
    assert raw[0] == {Empty: 0, Circle: 1, Rectangle: 5}[type(shape)]
    assert decode(Shape, raw) == shape


_trees = st.recursive(
    st.builds(Tree, st.integers(0, 2**32 - 1), st.just([])),
    lambda children: st.builds(Tree, st.integers(0, 2**32 - 1), st.lists(children, max_size=3)),
    max_leaves=10,
)


@given(_trees)
def test_recursive_struct_roundtrip(tree: Tree) -> None:
    """A type that contains a Vec of itself is declared once and round-trips."""
    _roundtrip(Tree, tree)
