"""The codec interface and the scalar codecs: integers, bool, compact, bytes, str.

A :class:`Codec` turns one Python type into SCALE bytes and back. ``encode_to`` appends to a
``bytearray`` so composite codecs build one buffer; ``decode_at`` reads from an offset and
returns the value with the offset after it, so composite codecs never copy the input.
Fixed-width integer codecs expose a ``struct`` format so struct codecs can read runs of them
with one ``unpack_from`` call.
"""

from __future__ import annotations

import struct
from typing import Any, ClassVar, Generic, TypeVar

from khala.primitives.scale.errors import ScaleError, ScaleErrorCode, unexpected_end

T = TypeVar("T")

TypeDef = dict[str, Any]
"""A scale-info style type definition (``{"primitive": "u32"}``, ``{"composite": ...}``)."""


class Codec(Generic[T]):
    """Encodes values of one Python type as SCALE and decodes them back.

    Subclasses implement :meth:`encode_to`, :meth:`decode_at` and :meth:`type_def`.
    """

    name: str
    """The type's name as Substrate metadata spells it (``u32``, ``Vec<u8>``, ``AccountInfo``)."""
    min_size: int = 1
    """The fewest bytes any encoding of this type takes; bounds length prefixes when decoding."""
    struct_format: str | None = None
    """A ``struct`` format reading this type's fixed-width encoding, when one exists."""
    path: ClassVar[tuple[str, ...]] = ()

    def encode_to(self, value: T, out: bytearray) -> None:
        """Append the encoding of ``value`` to ``out``.

        Raises:
            ScaleError: ``scale.value_out_of_range`` or ``scale.wrong_type`` for bad values.
        """
        raise NotImplementedError

    def decode_at(self, data: bytes, offset: int) -> tuple[T, int]:
        """Decode one value starting at ``offset``.

        Returns:
            The value and the offset just after its encoding.

        Raises:
            ScaleError: When the bytes are not a valid encoding; the error carries the offset.
        """
        raise NotImplementedError

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe this type for the type registry, registering referenced types first."""
        raise NotImplementedError

    def type_path(self) -> tuple[str, ...]:
        """Return the scale-info path of a named type; empty for anonymous (built-in) types."""
        return ()

    def type_params(self) -> tuple[Codec[Any], ...]:
        """Return the codecs of this type's generic parameters, for the registry."""
        return ()

    def encode(self, value: T) -> bytes:
        """Return the SCALE encoding of ``value``."""
        out = bytearray()
        self.encode_to(value, out)
        return bytes(out)

    def decode(self, data: bytes) -> T:
        """Decode a value that must span all of ``data``.

        Raises:
            ScaleError: ``scale.trailing_bytes`` when bytes remain after the value, or any
                decode error of the type.
        """
        if type(data) is not bytes:
            data = bytes(data)
        value, end = self.decode_at(data, 0)
        if end != len(data):
            raise ScaleError(
                ScaleErrorCode.TRAILING_BYTES,
                f"{self.name} ended after {end} bytes but the input has {len(data)}",
                offset=end,
            )
        return value

    def __repr__(self) -> str:
        """Show the codec by its metadata type name."""
        return f"<codec {self.name}>"


class TypeIdAllocator:
    """What a codec needs from the registry while describing itself: ids of other types."""

    def id_of(self, codec: Codec[Any]) -> int:
        """Return the registry id of ``codec``'s type, registering it if new."""
        raise NotImplementedError


class FixedIntCodec(Codec[int]):
    """A fixed-width little-endian integer of 8 to 64 bits, read with ``struct``."""

    def __init__(self, name: str, struct_format: str, size: int) -> None:
        """Create the codec for the metadata primitive ``name`` with its struct format."""
        self.name = name
        self.struct_format = struct_format
        self.min_size = size
        self._struct = struct.Struct("<" + struct_format)
        self._pack = self._struct.pack
        self._unpack_from = self._struct.unpack_from

    def encode_to(self, value: int, out: bytearray) -> None:
        """Append the little-endian bytes of ``value``."""
        try:
            out += self._pack(value)
        except struct.error:
            raise ScaleError(
                ScaleErrorCode.VALUE_OUT_OF_RANGE, f"{value!r} is not a valid {self.name}"
            ) from None

    def decode_at(self, data: bytes, offset: int) -> tuple[int, int]:
        """Read the integer at ``offset``."""
        end = offset + self.min_size
        if end > len(data):
            raise unexpected_end(self.name, offset, self.min_size, len(data) - offset)
        return self._unpack_from(data, offset)[0], end

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a scale-info primitive."""
        return {"primitive": self.name}


class WideIntCodec(Codec[int]):
    """A little-endian integer of 128 or 256 bits (no ``struct`` format is that wide)."""

    def __init__(self, name: str, size: int, *, signed: bool) -> None:
        """Create the codec for a ``size``-byte integer."""
        self.name = name
        self.min_size = size
        self._signed = signed

    def encode_to(self, value: int, out: bytearray) -> None:
        """Append the little-endian bytes of ``value``."""
        try:
            out += value.to_bytes(self.min_size, "little", signed=self._signed)
        except (OverflowError, AttributeError, TypeError):
            raise ScaleError(
                ScaleErrorCode.VALUE_OUT_OF_RANGE, f"{value!r} is not a valid {self.name}"
            ) from None

    def decode_at(self, data: bytes, offset: int) -> tuple[int, int]:
        """Read the integer at ``offset``."""
        end = offset + self.min_size
        if end > len(data):
            raise unexpected_end(self.name, offset, self.min_size, len(data) - offset)
        return int.from_bytes(data[offset:end], "little", signed=self._signed), end

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a scale-info primitive."""
        return {"primitive": self.name}


class BoolCodec(Codec[bool]):
    """One byte, 0 for false and 1 for true; any other byte is rejected."""

    name = "bool"
    min_size = 1

    def encode_to(self, value: bool, out: bytearray) -> None:
        """Append 0x01 or 0x00."""
        if value is True:
            out.append(1)
        elif value is False:
            out.append(0)
        else:
            raise ScaleError(ScaleErrorCode.WRONG_TYPE, f"expected a bool, got {value!r}")

    def decode_at(self, data: bytes, offset: int) -> tuple[bool, int]:
        """Read the bool byte at ``offset``."""
        if offset >= len(data):
            raise unexpected_end("bool", offset, 1, 0)
        byte = data[offset]
        if byte > 1:
            raise ScaleError(
                ScaleErrorCode.INVALID_BOOL, f"expected bool byte 0 or 1, got {byte}", offset=offset
            )
        return byte == 1, offset + 1

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a scale-info primitive."""
        return {"primitive": "bool"}


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

    def __init__(self, bits: int) -> None:
        """Create the codec for ``Compact<u{bits}>``."""
        self.name = f"Compact<u{bits}>"
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
        inner = UNSIGNED[self._bits]
        return {"compact": {"type": registry.id_of(inner)}}


class BytesCodec(Codec[bytes]):
    """``Vec<u8>``: a compact length followed by the raw bytes."""

    name = "Vec<u8>"

    def encode_to(self, value: bytes, out: bytearray) -> None:
        """Append the length prefix and the bytes."""
        if not isinstance(value, bytes | bytearray):
            raise ScaleError(
                ScaleErrorCode.WRONG_TYPE, f"expected bytes, got {type(value).__name__}"
            )
        encode_compact(len(value), out)
        out += value

    def decode_at(self, data: bytes, offset: int) -> tuple[bytes, int]:
        """Read the length prefix and that many bytes."""
        length, start = decode_compact(data, offset)
        end = start + length
        if end > len(data):
            raise unexpected_end("Vec<u8> body", start, length, len(data) - start)
        return bytes(data[start:end]), end

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a sequence of u8."""
        return {"sequence": {"type": registry.id_of(U8)}}


class StrCodec(Codec[str]):
    """``String``: UTF-8 bytes with a compact length prefix."""

    name = "String"

    def encode_to(self, value: str, out: bytearray) -> None:
        """Append the UTF-8 bytes with their length."""
        if not isinstance(value, str):
            raise ScaleError(ScaleErrorCode.WRONG_TYPE, f"expected str, got {type(value).__name__}")
        raw = value.encode()
        encode_compact(len(raw), out)
        out += raw

    def decode_at(self, data: bytes, offset: int) -> tuple[str, int]:
        """Read and UTF-8-decode the string."""
        raw, end = BYTES.decode_at(data, offset)
        try:
            return raw.decode(), end
        except UnicodeDecodeError as error:
            raise ScaleError(
                ScaleErrorCode.INVALID_UTF8,
                f"string is not valid UTF-8: {error.reason}",
                offset=offset,
            ) from None

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as the str primitive."""
        return {"primitive": "str"}


class FixedBytesCodec(Codec[bytes]):
    """``[u8; N]``: exactly N raw bytes with no prefix (hashes, public keys, signatures)."""

    def __init__(self, size: int) -> None:
        """Create the codec for arrays of ``size`` bytes."""
        self.name = f"[u8; {size}]"
        self.min_size = size

    def encode_to(self, value: bytes, out: bytearray) -> None:
        """Append the bytes, which must have exactly the declared length."""
        if not isinstance(value, bytes | bytearray) or len(value) != self.min_size:
            shown = len(value) if isinstance(value, bytes | bytearray) else type(value).__name__
            raise ScaleError(ScaleErrorCode.WRONG_TYPE, f"expected {self.name}, got {shown}")
        out += value

    def decode_at(self, data: bytes, offset: int) -> tuple[bytes, int]:
        """Read exactly the declared number of bytes."""
        end = offset + self.min_size
        if end > len(data):
            raise unexpected_end(self.name, offset, self.min_size, len(data) - offset)
        return bytes(data[offset:end]), end

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as an array of u8."""
        return {"array": {"len": self.min_size, "type": registry.id_of(U8)}}


U8 = FixedIntCodec("u8", "B", 1)
"""Codec of u8."""
U16 = FixedIntCodec("u16", "H", 2)
"""Codec of u16."""
U32 = FixedIntCodec("u32", "I", 4)
"""Codec of u32 (block numbers, indices)."""
U64 = FixedIntCodec("u64", "Q", 8)
"""Codec of u64 (moments in milliseconds, nonces)."""
U128 = WideIntCodec("u128", 16, signed=False)
"""Codec of u128 (balances)."""
U256 = WideIntCodec("u256", 32, signed=False)
"""Codec of u256 (heartbeat targets)."""
I8 = FixedIntCodec("i8", "b", 1)
"""Codec of i8."""
I16 = FixedIntCodec("i16", "h", 2)
"""Codec of i16."""
I32 = FixedIntCodec("i32", "i", 4)
"""Codec of i32."""
I64 = FixedIntCodec("i64", "q", 8)
"""Codec of i64."""
I128 = WideIntCodec("i128", 16, signed=True)
"""Codec of i128."""
BOOL = BoolCodec()
"""Codec of bool."""
BYTES = BytesCodec()
"""Codec of Vec<u8>."""
STR = StrCodec()
"""Codec of String."""
COMPACT_U32 = CompactCodec(32)
"""Codec of Compact<u32> (lengths, block numbers in headers)."""
COMPACT_U64 = CompactCodec(64)
"""Codec of Compact<u64>."""
COMPACT_U128 = CompactCodec(128)
"""Codec of Compact<u128> (balances in calls)."""
UNSIGNED: dict[int, Codec[int]] = {8: U8, 16: U16, 32: U32, 64: U64, 128: U128, 256: U256}
"""Unsigned integer codecs by bit width, for compact type definitions."""
