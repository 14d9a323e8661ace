"""The struct codec: a frozen dataclass encoded as its fields back to back.

Each struct's encode and decode functions are generated once, when the type is first used, as
straight-line Python (the technique ``dataclasses`` uses for ``__init__``): runs of adjacent
fixed-width integers become one precompiled ``struct.Struct`` call, other fields call their
codec directly, and decoded values are stored straight into the instance's slots. This is what
makes our codec fast; the generated source depends only on the declaration.
"""

from __future__ import annotations

import inspect
import struct
from collections.abc import Callable
from typing import Any, TypeVar

from khala.primitives.records import can_fill_slots
from khala.primitives.scale.base import Codec, TypeDef, TypeIdAllocator
from khala.primitives.scale.codec import U128, BoolCodec
from khala.primitives.scale.errors import ScaleError, ScaleErrorCode, unexpected_end
from khala.primitives.scale.inline import decode_failure, decode_snippet, encode_snippet

T = TypeVar("T")

Field = tuple[str, Codec[Any]]
"""A field's name and codec."""


def docs_of(cls: type) -> list[str]:
    """Return the first paragraph of a class docstring as scale-info docs lines."""
    text = inspect.getdoc(cls) or ""
    return text.split("\n\n", 1)[0].splitlines()


def path_of(cls: type) -> tuple[str, ...]:
    """Return the scale-info path of a declared type: its module path and name."""
    return (*cls.__module__.split("."), cls.__qualname__)


def fields_def(fields: tuple[Field, ...], registry: TypeIdAllocator) -> list[dict[str, Any]]:
    """Describe named fields for the type registry."""
    return [
        {"name": name, "type": registry.id_of(codec), "typeName": codec.name, "docs": []}
        for name, codec in fields
    ]


class StructCodec(Codec[T]):
    """The codec of a frozen dataclass: its fields back to back, in declaration order.

    The codec is created before its fields are resolved (:meth:`bind`) so that a type may
    refer to itself through a ``Vec`` or ``Option``.
    """

    def __init__(self, cls: type[T]) -> None:
        """Create an unbound codec for ``cls``; :meth:`bind` supplies the field codecs."""
        self.cls = cls
        self.name = cls.__name__
        self.fields: tuple[Field, ...] = ()
        self._encode: Callable[[T, bytearray], None] = _unbound
        self._decode: Callable[[bytes, int], tuple[T, int]] = _unbound

    def bind(self, fields: tuple[Field, ...]) -> None:
        """Attach the field codecs and generate the encode and decode functions."""
        self.fields = fields
        self.min_size = sum(codec.min_size for _, codec in fields)
        self._encode, self._decode, whole = _compile(self.cls, fields)
        # Instance attributes shadow the methods: callers reach the generated code directly.
        self.encode_to = self._encode  # type: ignore[method-assign,assignment]
        self.decode_at = self._decode  # type: ignore[method-assign,assignment]
        self.decode = whole  # type: ignore[method-assign,assignment]

    def encode_to(self, value: T, out: bytearray) -> None:
        """Append every field's encoding in order."""
        self._encode(value, out)

    def decode_at(self, data: bytes, offset: int) -> tuple[T, int]:
        """Decode every field in order and build the dataclass."""
        return self._decode(data, offset)

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as a scale-info composite with named fields."""
        return {"composite": {"fields": fields_def(self.fields, registry)}}

    def type_path(self) -> tuple[str, ...]:
        """The module path and class name."""
        return path_of(self.cls)


def _unbound(*_: Any) -> Any:
    raise ScaleError(
        ScaleErrorCode.UNSUPPORTED_TYPE, "struct codec used before its fields resolved"
    )


def _run_format(codec: Codec[Any]) -> str | None:
    """Return the ``struct`` format of a field that can join a packed run, else None.

    Fixed-width integers use their own format; a bool packs as one byte (checked to be 0 or 1
    after unpacking); a u128 packs as two little-endian u64 halves.
    """
    if codec.struct_format is not None:
        return codec.struct_format
    if isinstance(codec, BoolCodec):
        return "B"
    if codec is U128:
        return "QQ"
    return None


def _group_fixed_runs(fields: tuple[Field, ...]) -> list[list[tuple[int, Field]]]:
    """Split fields into runs of packable fields and single other fields."""
    groups: list[list[tuple[int, Field]]] = []
    for position, (name, codec) in enumerate(fields):
        packable = _run_format(codec) is not None
        if packable and groups and _run_format(groups[-1][0][1][1]) is not None:
            groups[-1].append((position, (name, codec)))
        else:
            groups.append([(position, (name, codec))])
    return groups


def _compile(
    cls: type[T], fields: tuple[Field, ...]
) -> tuple[
    Callable[[T, bytearray], None], Callable[[bytes, int], tuple[T, int]], Callable[[bytes], T]
]:
    """Generate a struct's ``encode_to``, ``decode_at`` and whole-input ``decode`` functions."""
    namespace: dict[str, Any] = {
        "_cls": cls,
        "_trailing": _trailing_error(cls),
        "_new": object.__new__,
        "_struct_error": struct.error,
        "_wrong_type": _wrong_type_error(cls),
    }
    encode_lines = [
        "def encode_to(value, out):",
        "    if not isinstance(value, _cls):",
        "        raise _wrong_type(value)",
    ]
    decode_lines: list[str] = []
    for group_index, group in enumerate(_group_fixed_runs(fields)):
        if _run_format(group[0][1][1]) is not None:
            run_encode, run_decode = _run_source(cls, group, group_index, namespace)
            encode_lines += run_encode
            decode_lines += run_decode
        else:
            position, (name, codec) = group[0]
            key = str(position)
            encode_lines += encode_snippet(codec, f"value.{name}", key, namespace) or [
                f"    _codec{key}.encode_to(value.{name}, out)"
            ]
            decode_lines += decode_snippet(codec, f"v{position}", key, namespace) or [
                f"    v{position}, offset = _codec{key}.decode_at(data, offset)"
            ]
    values = ", ".join(f"v{position}" for position in range(len(fields)))
    if can_fill_slots(cls, [name for name, _ in fields]):
        decode_lines.append("    instance = _new(_cls)")
        for position, (name, _) in enumerate(fields):
            namespace[f"_set{position}"] = cls.__dict__[name].__set__
            decode_lines.append(f"    _set{position}(instance, v{position})")
    else:
        decode_lines.append(f"    instance = _cls({values})")
    if not fields:
        encode_lines.append("    return None")
    body = "\n".join(decode_lines)
    source = "\n".join(
        [
            *encode_lines,
            "def decode_at(data, offset):",
            "    _size = len(data)",
            body,
            "    return instance, offset",
            "def decode(data):",
            "    if type(data) is not bytes: data = bytes(data)",
            "    offset = 0",
            "    _size = len(data)",
            body,
            "    if offset != _size: raise _trailing(data, offset)",
            "    return instance",
            "",
        ]
    )
    exec(compile(source, f"<scale codec of {cls.__qualname__}>", "exec"), namespace)  # noqa: S102
    return namespace["encode_to"], namespace["decode_at"], namespace["decode"]


def _run_source(
    cls: type, group: list[tuple[int, Field]], index: int, namespace: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """Generate the encode and decode lines of one packed run of fields."""
    formats = [str(_run_format(codec)) for _, (_, codec) in group]
    packer = struct.Struct("<" + "".join(formats))
    label = "(" + ", ".join(codec.name for _, (_, codec) in group) + ")"
    namespace[f"_pack{index}"] = packer.pack
    namespace[f"_unpack{index}"] = packer.unpack_from
    namespace[f"_range{index}"] = _range_error(cls, label)
    namespace[f"_end{index}"] = _run_failure([codec for _, (_, codec) in group], label, packer.size)
    namespace["_decode_failure"] = decode_failure
    namespace["_range_types"] = (struct.error, TypeError)
    encode_prelude: list[str] = []
    arguments: list[str] = []
    targets: list[str] = []
    checks: list[str] = []
    field_offset = 0
    for (position, (name, codec)), field_format in zip(group, formats, strict=True):
        variable = f"v{position}"
        if isinstance(codec, BoolCodec):
            namespace[f"_codec{position}"] = codec
            encode_prelude += [
                f"        _x{position} = value.{name}",
                f"        if _x{position} is not True and _x{position} is not False:",
                f"            _codec{position}.encode_to(_x{position}, out)",
            ]
            arguments.append(f"_x{position}")
            targets.append(variable)
            checks += [
                f"    if {variable} > 1: raise _decode_failure(_codec{position}, data, "
                f"offset + {field_offset})",
                f"    {variable} = {variable} == 1",
            ]
        elif field_format == "QQ":
            encode_prelude.append(f"        _x{position} = value.{name}")
            arguments += [f"_x{position} & 0xFFFFFFFFFFFFFFFF", f"_x{position} >> 64"]
            targets += [variable, f"_high{position}"]
            checks.append(f"    {variable} |= _high{position} << 64")
        else:
            arguments.append(f"value.{name}")
            targets.append(variable)
        field_offset += struct.calcsize("<" + field_format)
    encode_lines = [
        "    try:",
        *encode_prelude,
        f"        out += _pack{index}({', '.join(arguments)})",
        "    except _range_types:",
        f"        raise _range{index}() from None",
    ]
    decode_lines = [
        f"    if offset + {packer.size} > _size:",
        f"        raise _end{index}(data, offset)",
        f"    {', '.join(targets)}, = _unpack{index}(data, offset)",
        *checks,
        f"    offset += {packer.size}",
    ]
    return encode_lines, decode_lines


def _wrong_type_error(cls: type) -> Callable[[Any], ScaleError]:
    def build(value: Any) -> ScaleError:
        return ScaleError(
            ScaleErrorCode.WRONG_TYPE, f"expected {cls.__name__}, got {type(value).__name__}"
        )

    return build


def _trailing_error(cls: type) -> Callable[[bytes, int], ScaleError]:
    def build(data: bytes, offset: int) -> ScaleError:
        return ScaleError(
            ScaleErrorCode.TRAILING_BYTES,
            f"{cls.__name__} ended after {offset} bytes but the input has {len(data)}",
            offset=offset,
        )

    return build


def _range_error(cls: type, label: str) -> Callable[[], ScaleError]:
    def build() -> ScaleError:
        return ScaleError(
            ScaleErrorCode.VALUE_OUT_OF_RANGE,
            f"a field of {cls.__name__} does not fit its type in {label}",
        )

    return build


def _run_failure(
    codecs: list[Codec[Any]], label: str, size: int
) -> Callable[[bytes, int], ScaleError]:
    """Build the error of a run that does not fit the input.

    Slow path only: re-decodes the run field by field so the first field that fails raises
    its own precise error (an invalid bool, or the exact offset where the input ends).
    """

    def build(data: bytes, offset: int) -> ScaleError:
        position = offset
        for codec in codecs:
            _, position = codec.decode_at(data, position)
        return unexpected_end(label, offset, size, len(data) - offset)

    return build
