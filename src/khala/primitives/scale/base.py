"""The codec interface every SCALE type implements.

A :class:`Codec` turns one Python type into SCALE bytes and back. ``encode_to`` appends to a
``bytearray`` so composite codecs build one buffer; ``decode_at`` reads from an offset and
returns the value with the offset after it, so composite codecs never copy the input.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from khala.primitives.scale.errors import ScaleError, ScaleErrorCode

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
    immutable_values: ClassVar[bool] = False
    """Whether every value this codec decodes is deeply immutable (custom codecs of frozen
    scalar-only types say so; see :mod:`khala.primitives.scale.immutability`)."""

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
