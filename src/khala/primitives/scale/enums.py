"""Enum codecs: data-carrying :class:`ScaleEnum` families and field-less ``IntEnum`` types.

An enum is encoded as one index byte followed by the chosen variant's fields. Variants of a
:class:`ScaleEnum` family are frozen dataclasses registered with :func:`variant`, so each
variant is its own Python type (pattern-matchable, typed); a plain ``enum.IntEnum`` whose
member values are the indices covers enums without fields.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, TypeVar

from khala.primitives.scale.base import Codec, TypeDef, TypeIdAllocator
from khala.primitives.scale.errors import ScaleError, ScaleErrorCode, unexpected_end
from khala.primitives.scale.structs import StructCodec, docs_of, fields_def, path_of

V = TypeVar("V", bound=type)

MAX_VARIANT_INDEX = 255
"""SCALE encodes an enum's variant index in one byte."""


class ScaleEnum:
    """Base of an enum family whose variants carry fields.

    Declare the family as a direct subclass, then each variant as a frozen dataclass subclass
    registered with :func:`variant`::

        class MultiSignature(ScaleEnum):
            '''A signature of any supported scheme.'''

        @variant(1)
        @dataclass(frozen=True, slots=True)
        class Sr25519Signature(MultiSignature):
            signature: Annotated[bytes, Length(64)]
    """

    __slots__ = ()


_VARIANTS: dict[type, dict[int, type]] = {}
"""Registered variants: enum family -> variant index -> variant class."""


def enum_family(cls: type) -> type:
    """Return the direct :class:`ScaleEnum` subclass a variant class belongs to."""
    for base in cls.__mro__:
        if ScaleEnum in base.__bases__:
            return base
    raise ScaleError(ScaleErrorCode.UNSUPPORTED_TYPE, f"{cls.__name__} is not a ScaleEnum variant")


def variant(index: int) -> Callable[[V], V]:
    """Register a dataclass as the variant with ``index`` of its :class:`ScaleEnum` family.

    Raises:
        ScaleError: ``scale.unsupported_type`` for an index outside 0..255 or one already taken.
    """

    def register(cls: V) -> V:
        family = enum_family(cls)
        table = _VARIANTS.setdefault(family, {})
        if not 0 <= index <= MAX_VARIANT_INDEX or index in table:
            raise ScaleError(
                ScaleErrorCode.UNSUPPORTED_TYPE,
                f"variant index {index} of {family.__name__} is out of range or already taken",
            )
        table[index] = cls
        return cls

    return register


def variants_of(family: type) -> dict[int, type]:
    """Return the registered variants of an enum family, by index."""
    return dict(_VARIANTS.get(family, {}))


class EnumCodec(Codec[Any]):
    """The codec of a :class:`ScaleEnum` family: an index byte, then the variant's fields."""

    min_size = 1

    def __init__(self, family: type, variants: dict[int, StructCodec[Any]]) -> None:
        """Create the codec from the family and its variants' struct codecs by index."""
        self.family = family
        self.name = family.__name__
        self._by_index = variants
        self._by_class = {codec.cls: (index, codec) for index, codec in variants.items()}

    def variants(self) -> tuple[StructCodec[Any], ...]:
        """The variants' struct codecs, in index order."""
        return tuple(codec for _, codec in sorted(self._by_index.items()))

    def encode_to(self, value: Any, out: bytearray) -> None:
        """Append the variant index and the variant's fields."""
        entry = self._by_class.get(type(value))
        if entry is None:
            raise ScaleError(
                ScaleErrorCode.WRONG_TYPE,
                f"expected a variant of {self.name}, got {type(value).__name__}",
            )
        index, codec = entry
        out.append(index)
        codec.encode_to(value, out)

    def decode_at(self, data: bytes, offset: int) -> tuple[Any, int]:
        """Read the index byte and decode that variant."""
        if offset >= len(data):
            raise unexpected_end(f"{self.name} variant index", offset, 1, 0)
        index = data[offset]
        codec = self._by_index.get(index)
        if codec is None:
            known = ", ".join(str(key) for key in sorted(self._by_index))
            raise ScaleError(
                ScaleErrorCode.UNKNOWN_VARIANT,
                f"{self.name} has no variant {index} (known: {known})",
                offset=offset,
            )
        return codec.decode_at(data, offset + 1)

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a scale-info variant type."""
        return {
            "variant": {
                "variants": [
                    {
                        "name": codec.cls.__name__,
                        "fields": fields_def(codec.fields, registry),
                        "index": index,
                        "docs": docs_of(codec.cls),
                    }
                    for index, codec in sorted(self._by_index.items())
                ]
            }
        }

    def type_path(self) -> tuple[str, ...]:
        """The module path and family name."""
        return path_of(self.family)


class IndexEnumCodec(Codec[Any]):
    """The codec of a field-less enum declared as ``enum.IntEnum``: the member value, one byte."""

    min_size = 1

    def __init__(self, cls: type[enum.IntEnum]) -> None:
        """Create the codec; every member value must be a valid variant index."""
        self.cls = cls
        self.name = cls.__name__
        self._members = {member.value: member for member in cls}
        if any(not 0 <= index <= MAX_VARIANT_INDEX for index in self._members):
            raise ScaleError(
                ScaleErrorCode.UNSUPPORTED_TYPE, f"{cls.__name__} has a value outside 0..255"
            )

    def encode_to(self, value: Any, out: bytearray) -> None:
        """Append the member's index byte."""
        if not isinstance(value, self.cls):
            raise ScaleError(
                ScaleErrorCode.WRONG_TYPE, f"expected {self.name}, got {type(value).__name__}"
            )
        out.append(value.value)

    def decode_at(self, data: bytes, offset: int) -> tuple[Any, int]:
        """Read the index byte and return its member."""
        if offset >= len(data):
            raise unexpected_end(f"{self.name} variant index", offset, 1, 0)
        member = self._members.get(data[offset])
        if member is None:
            raise ScaleError(
                ScaleErrorCode.UNKNOWN_VARIANT,
                f"{self.name} has no variant {data[offset]}",
                offset=offset,
            )
        return member, offset + 1

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a scale-info variant type without fields."""
        return {
            "variant": {
                "variants": [
                    {"name": member.name, "fields": [], "index": member.value, "docs": []}
                    for member in self.cls
                ]
            }
        }

    def type_path(self) -> tuple[str, ...]:
        """The module path and class name."""
        return path_of(self.cls)
