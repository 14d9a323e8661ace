"""Declarations: one annotation yields encode, decode and a scale-info type registry."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from khala.primitives.scale import (
    U32,
    ScaleEnum,
    ScaleError,
    ScaleErrorCode,
    TypeRegistry,
    codec_of,
    variant,
)
from tests.primitives.scale.test_roundtrip import Color, Everything, Shape, Tree


class Family(ScaleEnum):
    """A family used to test registration rules."""


@variant(3)
@dataclass(frozen=True, slots=True)
class Member(Family):
    """The only member."""

    value: U32


def test_duplicate_variant_index_is_refused() -> None:
    """Registering two variants at one index fails at declaration time."""
    with pytest.raises(ScaleError) as caught:

        @variant(3)
        @dataclass(frozen=True, slots=True)
        class Clash(Family):
            """Collides with Member."""

    assert caught.value.code is ScaleErrorCode.UNSUPPORTED_TYPE


def test_registry_describes_struct_fields_and_variants() -> None:
    """The registry numbers types and records composite, variant and primitive shapes."""
    registry = TypeRegistry()
    root = registry.id_of(codec_of(Everything))
    types = {entry["id"]: entry["type"] for entry in registry.portable()}
    everything = types[root]
    assert everything["path"][-1] == "Everything"
    fields = everything["def"]["composite"]["fields"]
    assert [field["name"] for field in fields][:3] == ["small", "word", "signed"]
    assert types[fields[0]["type"]]["def"] == {"primitive": "u8"}
    shape = types[registry.id_of(codec_of(Shape))]
    indices = [entry["index"] for entry in shape["def"]["variant"]["variants"]]
    assert indices == [0, 1, 5]
    color = types[registry.id_of(codec_of(Color))]
    assert [entry["name"] for entry in color["def"]["variant"]["variants"]] == [
        "RED",
        "GREEN",
        "BLUE",
    ]
    maybe = types[fields[10]["type"]]
    assert maybe["path"] == ["Option"]
    assert maybe["params"][0]["name"] == "T"


def test_registry_handles_recursive_types() -> None:
    """A self-referencing type gets one id and its Vec refers back to it."""
    registry = TypeRegistry()
    tree_id = registry.id_of(codec_of(Tree))
    entry = registry.portable()[tree_id]["type"]
    children_type = entry["def"]["composite"]["fields"][1]["type"]
    assert registry.portable()[children_type]["type"]["def"] == {"sequence": {"type": tree_id}}
    assert registry.id_of(codec_of(Tree)) == tree_id


def test_codec_is_built_once_per_declaration() -> None:
    """Resolving a declaration twice returns the same compiled codec."""
    assert codec_of(Everything) is codec_of(Everything)
    assert codec_of(Member).name == "Member"
