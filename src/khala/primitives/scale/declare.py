"""Turn type annotations into codecs: the one declaration behind encode, decode and metadata.

Integers need a width, so they are written with the aliases below (``U32``, ``Compact``...),
which are ``Annotated[int, <codec>]``. Everything else maps directly:

========================================  ===========================================
annotation                                SCALE type
========================================  ===========================================
``bool``, ``str``, ``bytes``              ``bool``, ``String``, ``Vec<u8>``
``Annotated[bytes, Length(32)]``          ``[u8; 32]`` (alias ``H256``)
``list[X]``                               ``Vec<X>``
``Annotated[tuple[X, ...], Length(n)]``   ``[X; n]``
``tuple[A, B]``                           ``(A, B)``
``X | None``                              ``Option<X>``
``Ok[A] | Err[B]``                        ``Result<A, B>``
a frozen dataclass                        a struct of its fields
a :class:`ScaleEnum` family               an enum with data-carrying variants
an ``enum.IntEnum``                       a field-less enum, member value = index
``Annotated[T, codec]``                   whatever ``codec`` says
========================================  ===========================================
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from khala.primitives.scale import codec as scalar
from khala.primitives.scale.base import Codec, TypeDef, TypeIdAllocator
from khala.primitives.scale.containers import (
    ArrayCodec,
    Err,
    Ok,
    OptionCodec,
    ResultCodec,
    TupleCodec,
    VecCodec,
)
from khala.primitives.scale.enums import (
    EnumCodec,
    IndexEnumCodec,
    ScaleEnum,
    enum_family,
    variants_of,
)
from khala.primitives.scale.errors import ScaleError, ScaleErrorCode
from khala.primitives.scale.structs import StructCodec

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Lazy:
    """Annotation marker for a type defined later: ``Annotated[Any, Lazy(lambda: RuntimeCall)]``.

    Breaks import cycles such as a call that carries another call (``sudo(call)``): the
    function is called, and its type resolved, only when the codec is first needed.
    """

    resolve: Callable[[], Any]
    """Returns the annotation to use."""


@dataclass(frozen=True, slots=True)
class Length:
    """Annotation marker giving a fixed length: ``Annotated[bytes, Length(32)]`` is ``[u8; 32]``."""

    size: int
    """The number of items (bytes for ``bytes``)."""


U8 = Annotated[int, scalar.U8]
"""An unsigned 8-bit integer."""
U16 = Annotated[int, scalar.U16]
"""An unsigned 16-bit integer."""
U32 = Annotated[int, scalar.U32]
"""An unsigned 32-bit integer."""
U64 = Annotated[int, scalar.U64]
"""An unsigned 64-bit integer."""
U128 = Annotated[int, scalar.U128]
"""An unsigned 128-bit integer (balances)."""
U256 = Annotated[int, scalar.U256]
"""An unsigned 256-bit integer."""
I8 = Annotated[int, scalar.I8]
"""A signed 8-bit integer."""
I16 = Annotated[int, scalar.I16]
"""A signed 16-bit integer."""
I32 = Annotated[int, scalar.I32]
"""A signed 32-bit integer."""
I64 = Annotated[int, scalar.I64]
"""A signed 64-bit integer."""
I128 = Annotated[int, scalar.I128]
"""A signed 128-bit integer."""
Compact = Annotated[int, scalar.COMPACT_U128]
"""``Compact<u128>``: the widest compact, for amounts."""
CompactU32 = Annotated[int, scalar.COMPACT_U32]
"""``Compact<u32>``: block numbers and lengths."""
CompactU64 = Annotated[int, scalar.COMPACT_U64]
"""``Compact<u64>``: nonces and moments."""
H256 = Annotated[bytes, Length(32)]
"""A 32-byte hash or public key, ``[u8; 32]``."""
H512 = Annotated[bytes, Length(64)]
"""A 64-byte signature, ``[u8; 64]``."""

_CACHE: dict[Any, Codec[Any]] = {}
"""Resolved codecs by annotation, so each declaration is compiled once."""

_SIMPLE: dict[Any, Codec[Any]] = {bool: scalar.BOOL, str: scalar.STR, bytes: scalar.BYTES}


def codec_of(annotation: Any) -> Codec[Any]:
    """Return the codec that a type annotation declares.

    Args:
        annotation: A type or annotation from the table in this module's docstring, or a codec.

    Returns:
        The codec, cached per annotation.

    Raises:
        ScaleError: ``scale.unsupported_type`` when the annotation has no SCALE meaning.
    """
    try:
        return _CACHE[annotation]
    except KeyError:
        pass
    except TypeError:  # an unhashable annotation: resolve without caching
        return _resolve(annotation)
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return _struct_codec(annotation)
    resolved = _resolve(annotation)
    _CACHE[annotation] = resolved
    return resolved


def encode(value: Any) -> bytes:
    """Encode a value of a declared type (dataclass, ScaleEnum variant, IntEnum member)."""
    value_type = type(value)
    if isinstance(value, ScaleEnum):
        value_type = enum_family(value_type)
    return codec_of(value_type).encode(value)


def decode(annotation: type[T], data: bytes) -> T:
    """Decode ``data``, which must hold exactly one value of the declared type."""
    decoded: T = codec_of(annotation).decode(data)
    return decoded


def _unsupported(annotation: Any, hint: str) -> ScaleError:
    return ScaleError(ScaleErrorCode.UNSUPPORTED_TYPE, f"cannot encode {annotation!r}: {hint}")


def _struct_codec(cls: type) -> Codec[Any]:
    """Build a dataclass's codec, caching it before resolving fields to allow recursion."""
    codec: StructCodec[Any] = StructCodec(cls)
    _CACHE[cls] = codec
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
        fields = tuple(
            (field.name, codec_of(hints[field.name]))
            for field in dataclasses.fields(cls)
            if field.init
        )
    except BaseException:
        del _CACHE[cls]
        raise
    codec.bind(fields)
    return codec


def _resolve(annotation: Any) -> Codec[Any]:
    if isinstance(annotation, Codec):
        return annotation
    simple = _SIMPLE.get(annotation)
    if simple is not None:
        return simple
    if annotation is int:
        return _raise(_unsupported(annotation, "declare the width, e.g. U32, U128 or Compact"))
    origin = get_origin(annotation)
    if origin is Annotated:
        return _resolve_annotated(annotation)
    if origin is list:
        (item,) = get_args(annotation)
        return VecCodec(codec_of(item))
    if origin is tuple:
        return _resolve_tuple(annotation)
    if origin in (Union, types.UnionType):
        return _resolve_union(annotation)
    if isinstance(annotation, type):
        return _resolve_class(annotation)
    return _raise(_unsupported(annotation, "no SCALE mapping for this annotation"))


def _raise(error: ScaleError) -> Codec[Any]:
    raise error


def _resolve_annotated(annotation: Any) -> Codec[Any]:
    base, *metadata = get_args(annotation)
    for marker in metadata:
        if isinstance(marker, Codec):
            return marker
        if isinstance(marker, Lazy):
            return LazyCodec(marker.resolve)
    for marker in metadata:
        if isinstance(marker, Length):
            if base is bytes:
                return scalar.FixedBytesCodec(marker.size)
            if get_origin(base) is tuple:
                args = get_args(base)
                if len(args) == 2 and args[1] is Ellipsis:
                    return ArrayCodec(codec_of(args[0]), marker.size)
            return _raise(_unsupported(annotation, "Length applies to bytes or tuple[X, ...]"))
    return codec_of(base)


def _resolve_tuple(annotation: Any) -> Codec[Any]:
    args = get_args(annotation)
    if len(args) == 2 and args[1] is Ellipsis:
        return _raise(_unsupported(annotation, "a variable tuple needs Length(n) or use list[X]"))
    return TupleCodec(tuple(codec_of(arg) for arg in args))


def _resolve_union(annotation: Any) -> Codec[Any]:
    args = get_args(annotation)
    present = [arg for arg in args if arg is not type(None)]
    if len(present) == 1 and len(args) == 2:
        return OptionCodec(codec_of(present[0]))
    origins = {get_origin(arg): arg for arg in args}
    if len(args) == 2 and set(origins) == {Ok, Err}:
        (ok_type,) = get_args(origins[Ok])
        (err_type,) = get_args(origins[Err])
        return ResultCodec(codec_of(ok_type), codec_of(err_type))
    return _raise(_unsupported(annotation, "only X | None and Ok[A] | Err[B] unions are SCALE"))


def _resolve_class(cls: type) -> Codec[Any]:
    custom = getattr(cls, "__scale_codec__", None)
    if isinstance(custom, Codec):
        return custom
    if issubclass(cls, ScaleEnum):
        if ScaleEnum in cls.__bases__:
            variants = {
                index: _variant_codec(variant_class)
                for index, variant_class in variants_of(cls).items()
            }
            return EnumCodec(cls, variants)
        return _raise(_unsupported(cls, "a variant is encoded through its enum family"))
    if issubclass(cls, enum.IntEnum):
        return IndexEnumCodec(cls)
    return _raise(_unsupported(cls, "declare it as a frozen dataclass, ScaleEnum or IntEnum"))


def _variant_codec(cls: type) -> StructCodec[Any]:
    if not dataclasses.is_dataclass(cls):
        raise _unsupported(cls, "enum variants must be dataclasses")
    codec = codec_of(cls)
    if not isinstance(codec, StructCodec):
        raise _unsupported(cls, "enum variants must be dataclasses")
    return codec


class LazyCodec(Codec[Any]):
    """A codec that resolves its type on first use (see :class:`Lazy`)."""

    def __init__(self, resolve: Callable[[], Any]) -> None:
        """Remember how to find the real type."""
        self._resolve = resolve
        self._codec: Codec[Any] | None = None
        self.name = "Lazy"

    def target(self) -> Codec[Any]:
        """Return the real codec, resolving it the first time."""
        if self._codec is None:
            self._codec = codec_of(self._resolve())
            self.name = self._codec.name
        return self._codec

    def encode_to(self, value: Any, out: bytearray) -> None:
        """Encode with the real codec."""
        self.target().encode_to(value, out)

    def decode_at(self, data: bytes, offset: int) -> tuple[Any, int]:
        """Decode with the real codec."""
        return self.target().decode_at(data, offset)

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as the real type."""
        return self.target().type_def(registry)

    def type_path(self) -> tuple[str, ...]:
        """The real type's path."""
        return self.target().type_path()
