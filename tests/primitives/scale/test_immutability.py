"""Which decoded values may be shared by caches: only deeply immutable ones."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32, U128, ScaleEnum, codec_of, variant
from khala.primitives.scale.immutability import is_immutable
from khala.runtime.modules.system.state import AccountInfo


@dataclass(frozen=True, slots=True)
class Holder:
    """A frozen struct whose field is a list (mutable inside)."""

    items: list[U32]


@dataclass(slots=True)
class Loose:
    """A struct that is not frozen."""

    value: U32


class Shape(ScaleEnum):
    """An enum family with one variant carrying a list."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Point(Shape):
    """A scalar variant."""

    x: U32


@variant(1)
@dataclass(frozen=True, slots=True)
class Path(Shape):
    """A variant holding a list."""

    points: list[U32]


def test_scalars_frozen_structs_options_and_tuples_are_immutable() -> None:
    """Integers, bytes, AccountInfo and options or tuples of them can be shared."""
    assert is_immutable(codec_of(U32))
    assert is_immutable(codec_of(bytes))
    assert is_immutable(codec_of(AccountInfo))
    assert is_immutable(codec_of(AccountInfo | None))
    assert is_immutable(codec_of(tuple[U32, U128]))


def test_lists_non_frozen_structs_and_enums_with_lists_are_not() -> None:
    """Anything a reader could change in place is decoded afresh."""
    assert not is_immutable(codec_of(list[U32]))
    assert not is_immutable(codec_of(Holder))
    assert not is_immutable(codec_of(Loose))
    assert not is_immutable(codec_of(Shape))
    assert is_immutable(codec_of(Point))
