"""Whether a codec's decoded values can never change after decoding.

Callers that cache decoded values (a storage item decoding the same stored bytes again and
again) may share one decoded object between readers only when nobody can mutate it: integers,
bytes, strings, frozen dataclasses whose fields are all such values, tuples and options of
them. Lists, maps and anything this module does not know are treated as mutable, so a cache
never hands out an object a caller could change under another reader.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from khala.primitives.scale.base import Codec
from khala.primitives.scale.codec import (
    BoolCodec,
    BytesCodec,
    FixedBytesCodec,
    FixedIntCodec,
    StrCodec,
    WideIntCodec,
)
from khala.primitives.scale.compact import CompactCodec
from khala.primitives.scale.containers import ArrayCodec, OptionCodec, TupleCodec
from khala.primitives.scale.enums import EnumCodec, IndexEnumCodec
from khala.primitives.scale.structs import StructCodec

_SCALARS = (
    BoolCodec,
    BytesCodec,
    FixedBytesCodec,
    FixedIntCodec,
    StrCodec,
    WideIntCodec,
    CompactCodec,
    IndexEnumCodec,
)
"""Codecs whose values are Python scalars (int, bool, bytes, str, IntEnum): immutable."""


def is_immutable(codec: Codec[Any]) -> bool:
    """Whether every value ``codec`` decodes is deeply immutable (safe to share).

    A type that refers to itself (through an option) counts as mutable: rare, and never worth
    the risk.
    """
    return _immutable(codec, set())


def _immutable(codec: Codec[Any], visiting: set[int]) -> bool:
    if isinstance(codec, _SCALARS) or codec.immutable_values:
        return True
    if id(codec) in visiting:
        return False
    visiting.add(id(codec))
    try:
        if isinstance(codec, OptionCodec):
            return _immutable(codec.item, visiting)
        if isinstance(codec, ArrayCodec):
            return _immutable(codec.item, visiting)
        if isinstance(codec, TupleCodec):
            return all(_immutable(element, visiting) for element in codec.elements)
        if isinstance(codec, StructCodec):
            return _frozen(codec.cls) and all(
                _immutable(field, visiting) for _, field in codec.fields
            )
        if isinstance(codec, EnumCodec):
            return all(_immutable(variant, visiting) for variant in codec.variants())
        return False
    finally:
        visiting.discard(id(codec))


def _frozen(cls: type) -> bool:
    """Whether ``cls`` is a frozen dataclass (its attributes cannot be reassigned)."""
    params = getattr(cls, "__dataclass_params__", None)
    return dataclasses.is_dataclass(cls) and params is not None and bool(params.frozen)
