"""SCALE compact integers: a variable-length encoding of unsigned numbers.

Modes: one byte for values below 2**6, two below 2**14, four below 2**30, otherwise a length
byte followed by the minimal little-endian bytes (4 to 67 of them). Decoding rejects encodings
longer than needed, as parity-scale-codec does, so every value has exactly one encoding.
"""

from __future__ import annotations

from typing import Any

from khala.primitives.scale.base import Codec, TypeDef, TypeIdAllocator
from khala.primitives.scale.errors import ScaleError, ScaleErrorCode, unexpected_end


def encode_compact(value: int, out: bytearray) -> None:
    """Append the SCALE compact encoding of a non-negative integer, in its shortest mode.

    Modes: one byte for values below 2**6, two below 2**14, four below 2**30, otherwise a
    length byte followed by the minimal little-endian bytes (4 to 67 of them).
    """
    if value < 0x40:
        if value < 0:
            raise ScaleError(ScaleErrorCode.VALUE_OUT_OF_RANGE, f"compact {value} is negative")
        out.append(value << 2)
    elif value < 0x4000:
        out += ((value << 2) | 0b01).to_bytes(2, "little")
    elif value < 0x4000_0000:
        out += ((value << 2) | 0b10).to_bytes(4, "little")
    else:
        size = max(4, (value.bit_length() + 7) // 8)
        if size > 67:
            raise ScaleError(ScaleErrorCode.VALUE_OUT_OF_RANGE, "compact value exceeds 536 bits")
        out.append(((size - 4) << 2) | 0b11)
        out += value.to_bytes(size, "little")


def decode_compact(data: bytes, offset: int) -> tuple[int, int]:
    """Decode a compact integer at ``offset``, rejecting non-canonical (over-long) encodings.

    Returns:
        The value and the offset after it.

    Raises:
        ScaleError: ``scale.unexpected_end`` or ``scale.non_canonical_compact``.
    """
    size = len(data)
    if offset >= size:
        raise unexpected_end("compact integer", offset, 1, 0)
    first = data[offset]
    mode = first & 0b11
    if mode == 0:
        return first >> 2, offset + 1
    if mode == 1:
        if offset + 2 > size:
            raise unexpected_end("compact integer", offset, 2, size - offset)
        value = (first | (data[offset + 1] << 8)) >> 2
        if value < 0x40:
            raise _non_canonical(value, offset)
        return value, offset + 2
    if mode == 2:
        if offset + 4 > size:
            raise unexpected_end("compact integer", offset, 4, size - offset)
        value = int.from_bytes(data[offset : offset + 4], "little") >> 2
        if value < 0x4000:
            raise _non_canonical(value, offset)
        return value, offset + 4
    length = (first >> 2) + 4
    end = offset + 1 + length
    if end > size:
        raise unexpected_end("compact integer", offset, 1 + length, size - offset)
    value = int.from_bytes(data[offset + 1 : end], "little")
    if value < 0x4000_0000 or (length > 4 and value >> (8 * (length - 1)) == 0):
        raise _non_canonical(value, offset)
    return value, end


def _non_canonical(value: int, offset: int) -> ScaleError:
    return ScaleError(
        ScaleErrorCode.NON_CANONICAL_COMPACT,
        f"compact integer {value} is encoded in a longer mode than needed",
        offset=offset,
    )


class CompactCodec(Codec[int]):
    """``Compact<uN>``: a variable-length unsigned integer bounded by its declared width."""

    def __init__(self, inner: Codec[Any], bits: int) -> None:
        """Create the codec for ``Compact<u{bits}>``; ``inner`` is the uN codec it wraps."""
        self.name = f"Compact<u{bits}>"
        self.inner = inner
        """The fixed-width codec of the same integer type, for the type registry."""
        self._bits = bits
        self.limit = 1 << bits
        """Exclusive upper bound of the values this compact may hold."""

    def encode_to(self, value: int, out: bytearray) -> None:
        """Append the compact encoding, checking the declared width."""
        if not isinstance(value, int) or not 0 <= value < self.limit:
            raise ScaleError(
                ScaleErrorCode.VALUE_OUT_OF_RANGE, f"{value!r} is not a valid {self.name}"
            )
        encode_compact(value, out)

    def decode_at(self, data: bytes, offset: int) -> tuple[int, int]:
        """Read the compact integer and check it fits the declared width."""
        value, end = decode_compact(data, offset)
        if value >= self.limit:
            raise ScaleError(
                ScaleErrorCode.COMPACT_OVERFLOW,
                f"compact value {value} does not fit u{self._bits}",
                offset=offset,
            )
        return value, end

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a scale-info compact of the primitive."""
        return {"compact": {"type": registry.id_of(self.inner)}}
