"""Generic container codecs: Vec, Option, Result, tuples and fixed arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from khala.primitives.scale.base import Codec, TypeDef, TypeIdAllocator
from khala.primitives.scale.compact import decode_compact, encode_compact
from khala.primitives.scale.errors import ScaleError, ScaleErrorCode, unexpected_end

T = TypeVar("T")
E = TypeVar("E")

MAX_ZERO_SIZED_ITEMS = 1 << 16
"""Most items a Vec of zero-sized values may claim: such items give no byte-count bound."""


class VecCodec(Codec[list[T]]):
    """``Vec<T>``: a compact item count followed by the items; Python value a ``list``."""

    def __init__(self, item: Codec[T]) -> None:
        """Create the codec for vectors of ``item``."""
        self.item = item
        self.name = f"Vec<{item.name}>"

    def encode_to(self, value: list[T], out: bytearray) -> None:
        """Append the count and every item."""
        if not isinstance(value, list | tuple):
            raise ScaleError(
                ScaleErrorCode.WRONG_TYPE, f"expected a list, got {type(value).__name__}"
            )
        encode_compact(len(value), out)
        encode_item = self.item.encode_to
        for element in value:
            encode_item(element, out)

    def decode_at(self, data: bytes, offset: int) -> tuple[list[T], int]:
        """Read the count, check it is plausible, then read the items."""
        count, position = decode_compact(data, offset)
        _check_count(self.name, count, self.item.min_size, len(data) - position, offset)
        decode_item = self.item.decode_at
        items: list[T] = []
        append = items.append
        for _ in range(count):
            element, position = decode_item(data, position)
            append(element)
        return items, position

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a scale-info sequence."""
        return {"sequence": {"type": registry.id_of(self.item)}}


def _check_count(name: str, count: int, item_size: int, remaining: int, offset: int) -> None:
    """Reject a length prefix that cannot fit in the remaining input."""
    limit = remaining // item_size if item_size else MAX_ZERO_SIZED_ITEMS
    if count > limit:
        raise ScaleError(
            ScaleErrorCode.LENGTH_TOO_LARGE,
            f"{name} claims {count} items but at most {limit} fit in the remaining input",
            offset=offset,
        )


class OptionCodec(Codec[T | None]):
    """``Option<T>``: 0x00 for None, 0x01 followed by the value; Python value ``T | None``.

    Follows parity-scale-codec's generic ``Option`` (so ``Option<bool>`` takes two bytes when
    set); an ``Option<Option<T>>`` cannot be represented with ``None`` and is not supported.
    """

    min_size = 1

    def __init__(self, item: Codec[T]) -> None:
        """Create the codec for optional ``item`` values."""
        self.item = item
        self.name = f"Option<{item.name}>"

    def encode_to(self, value: T | None, out: bytearray) -> None:
        """Append the tag and, when set, the value."""
        if value is None:
            out.append(0)
        else:
            out.append(1)
            self.item.encode_to(value, out)

    def decode_at(self, data: bytes, offset: int) -> tuple[T | None, int]:
        """Read the tag and, when it is 1, the value."""
        if offset >= len(data):
            raise unexpected_end(self.name, offset, 1, 0)
        tag = data[offset]
        if tag == 0:
            return None, offset + 1
        if tag == 1:
            return self.item.decode_at(data, offset + 1)
        raise ScaleError(
            ScaleErrorCode.INVALID_OPTION,
            f"{self.name} tag must be 0 or 1, got {tag}",
            offset=offset,
        )

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as scale-info's ``Option`` variant type."""
        return {
            "variant": {
                "variants": [
                    {"name": "None", "fields": [], "index": 0, "docs": []},
                    {
                        "name": "Some",
                        "fields": [{"type": registry.id_of(self.item)}],
                        "index": 1,
                        "docs": [],
                    },
                ]
            }
        }

    def type_path(self) -> tuple[str, ...]:
        """Scale-info names this type ``Option``."""
        return ("Option",)

    def type_params(self) -> tuple[Codec[Any], ...]:
        """The one parameter is the item type."""
        return (self.item,)


@dataclass(frozen=True, slots=True)
class Ok(Generic[T]):
    """The success arm of a SCALE ``Result``."""

    value: T
    """The success value."""


@dataclass(frozen=True, slots=True)
class Err(Generic[E]):
    """The failure arm of a SCALE ``Result``."""

    error: E
    """The error value."""


class ResultCodec(Codec[Ok[T] | Err[E]]):
    """``Result<T, E>``: 0x00 followed by the Ok value or 0x01 followed by the error."""

    min_size = 1

    def __init__(self, ok: Codec[T], err: Codec[E]) -> None:
        """Create the codec for results of ``ok`` or ``err``."""
        self.ok = ok
        self.err = err
        self.name = f"Result<{ok.name}, {err.name}>"

    def encode_to(self, value: Ok[T] | Err[E], out: bytearray) -> None:
        """Append the tag and the arm's value."""
        if isinstance(value, Ok):
            out.append(0)
            self.ok.encode_to(value.value, out)
        elif isinstance(value, Err):
            out.append(1)
            self.err.encode_to(value.error, out)
        else:
            raise ScaleError(ScaleErrorCode.WRONG_TYPE, f"expected Ok or Err, got {value!r}")

    def decode_at(self, data: bytes, offset: int) -> tuple[Ok[T] | Err[E], int]:
        """Read the tag and the arm's value."""
        if offset >= len(data):
            raise unexpected_end(self.name, offset, 1, 0)
        tag = data[offset]
        if tag == 0:
            ok_value, end = self.ok.decode_at(data, offset + 1)
            return Ok(ok_value), end
        if tag == 1:
            err_value, end = self.err.decode_at(data, offset + 1)
            return Err(err_value), end
        raise ScaleError(
            ScaleErrorCode.INVALID_RESULT,
            f"{self.name} tag must be 0 or 1, got {tag}",
            offset=offset,
        )

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as scale-info's ``Result`` variant type."""
        return {
            "variant": {
                "variants": [
                    {
                        "name": "Ok",
                        "fields": [{"type": registry.id_of(self.ok)}],
                        "index": 0,
                        "docs": [],
                    },
                    {
                        "name": "Err",
                        "fields": [{"type": registry.id_of(self.err)}],
                        "index": 1,
                        "docs": [],
                    },
                ]
            }
        }

    def type_path(self) -> tuple[str, ...]:
        """Scale-info names this type ``Result``."""
        return ("Result",)

    def type_params(self) -> tuple[Codec[Any], ...]:
        """The parameters are the Ok and Err types."""
        return (self.ok, self.err)


class TupleCodec(Codec[tuple[Any, ...]]):
    """``(A, B, ...)``: the elements back to back; Python value a ``tuple``."""

    def __init__(self, elements: tuple[Codec[Any], ...]) -> None:
        """Create the codec for tuples of ``elements``."""
        self.elements = elements
        self.name = "(" + ", ".join(element.name for element in elements) + ")"
        self.min_size = sum(element.min_size for element in elements)

    def encode_to(self, value: tuple[Any, ...], out: bytearray) -> None:
        """Append every element in order."""
        if not isinstance(value, tuple) or len(value) != len(self.elements):
            raise ScaleError(
                ScaleErrorCode.WRONG_TYPE, f"expected a {self.name} tuple, got {value!r}"
            )
        for codec, element in zip(self.elements, value, strict=True):
            codec.encode_to(element, out)

    def decode_at(self, data: bytes, offset: int) -> tuple[tuple[Any, ...], int]:
        """Read every element in order."""
        values = []
        for codec in self.elements:
            element, offset = codec.decode_at(data, offset)
            values.append(element)
        return tuple(values), offset

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a scale-info tuple."""
        return {"tuple": [registry.id_of(element) for element in self.elements]}


class ArrayCodec(Codec[tuple[T, ...]]):
    """``[T; N]`` for non-byte items: N items with no prefix; Python value a ``tuple``."""

    def __init__(self, item: Codec[T], length: int) -> None:
        """Create the codec for arrays of ``length`` items."""
        self.item = item
        self.length = length
        self.name = f"[{item.name}; {length}]"
        self.min_size = item.min_size * length

    def encode_to(self, value: tuple[T, ...], out: bytearray) -> None:
        """Append every item; the length must match exactly."""
        if not isinstance(value, tuple | list) or len(value) != self.length:
            raise ScaleError(ScaleErrorCode.WRONG_TYPE, f"expected {self.name}, got {value!r}")
        for element in value:
            self.item.encode_to(element, out)

    def decode_at(self, data: bytes, offset: int) -> tuple[tuple[T, ...], int]:
        """Read exactly ``length`` items."""
        values = []
        for _ in range(self.length):
            element, offset = self.item.decode_at(data, offset)
            values.append(element)
        return tuple(values), offset

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a scale-info array."""
        return {"array": {"len": self.length, "type": registry.id_of(self.item)}}
