"""The scalar codecs: fixed and wide integers, bool, bytes, strings and byte arrays.

Fixed-width integer codecs expose a ``struct`` format so struct codecs can read runs of them
with one ``unpack_from`` call. The codec interface lives in ``base.py`` and compact integers in
``compact.py``.
"""

from __future__ import annotations

import struct

from khala.primitives.scale.base import Codec, TypeDef, TypeIdAllocator
from khala.primitives.scale.compact import CompactCodec, decode_compact, encode_compact
from khala.primitives.scale.errors import ScaleError, ScaleErrorCode, unexpected_end


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


class NamedBytesCodec(FixedBytesCodec):
    """``[u8; N]`` as a named newtype (``AccountId32``): the same bytes, its own metadata type.

    Tools recognise such types by path (an ``sp_core::crypto::AccountId32`` shows as an SS58
    address), so accounts get one while plain hashes stay ``[u8; 32]``.
    """

    def __init__(self, inner: FixedBytesCodec, path: tuple[str, ...]) -> None:
        """Wrap ``inner`` (the plain array codec) under the scale-info ``path``."""
        super().__init__(inner.min_size)
        self.inner = inner
        """The plain array type the newtype wraps."""
        self.name = path[-1]
        self._path = path

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a composite with one unnamed ``[u8; N]`` field, as scale-info does."""
        field = {"type": registry.id_of(self.inner), "typeName": self.inner.name, "docs": []}
        return {"composite": {"fields": [field]}}

    def type_path(self) -> tuple[str, ...]:
        """The newtype's path."""
        return self._path


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
COMPACT_U32 = CompactCodec(U32, 32)
"""Codec of Compact<u32> (lengths, block numbers in headers)."""
COMPACT_U64 = CompactCodec(U64, 64)
"""Codec of Compact<u64>."""
COMPACT_U128 = CompactCodec(U128, 128)
"""Codec of Compact<u128> (balances in calls)."""
UNSIGNED: dict[int, Codec[int]] = {8: U8, 16: U16, 32: U32, 64: U64, 128: U128, 256: U256}
"""Unsigned integer codecs by bit width, for compact type definitions."""
