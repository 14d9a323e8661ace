"""Source snippets that let generated struct codecs inline the common scalar codecs.

A struct codec (see ``structs.py``) is generated as straight-line Python. For the scalar types
that dominate real structs (bool, u128, byte arrays, ``Vec<u8>``, compact integers) calling the
codec object costs more than the work itself, so the generator asks this module for an inline
snippet instead. Each snippet does exactly what the codec's own method does, raising the same
errors; the codec tests compare every inlined type with its codec's own methods.

Snippet variables: ``data``, ``offset`` and ``_size`` (decode input, cursor, input length)
and ``out`` (encode buffer); helpers a snippet needs are added to the generated
function's namespace under names ending in ``key``.
"""

from __future__ import annotations

from typing import Any

from khala.primitives.scale.base import Codec
from khala.primitives.scale.codec import BoolCodec, BytesCodec, FixedBytesCodec, WideIntCodec
from khala.primitives.scale.compact import CompactCodec, decode_compact, encode_compact
from khala.primitives.scale.errors import ScaleError, ScaleErrorCode, unexpected_end


def decode_snippet(
    codec: Codec[Any], target: str, key: str, namespace: dict[str, Any]
) -> list[str] | None:
    """Return lines that decode ``codec`` into ``target`` and advance ``offset``, or None."""
    namespace[f"_codec{key}"] = codec
    namespace[f"_fail{key}"] = decode_failure
    fail = f"raise _fail{key}(_codec{key}, data, offset)"
    if isinstance(codec, BoolCodec):
        return [
            f"    if offset >= _size or data[offset] > 1: {fail}",
            f"    {target} = data[offset] == 1",
            "    offset += 1",
        ]
    if isinstance(codec, WideIntCodec | FixedBytesCodec):
        size = codec.min_size
        lines = [f"    if offset + {size} > _size: {fail}"]
        if isinstance(codec, WideIntCodec):
            signed = codec.name.startswith("i")
            lines.append(
                f"    {target} = int.from_bytes(data[offset:offset + {size}], 'little', "
                f"signed={signed})"
            )
        else:
            lines.append(f"    {target} = data[offset:offset + {size}]")
        return [*lines, f"    offset += {size}"]
    namespace["_decode_compact"] = decode_compact
    if isinstance(codec, BytesCodec):
        return [
            *_compact_lines(target, "_start", fail),
            f"    if _start + {target} > _size: {fail}",
            f"    {target}, offset = data[_start:_start + {target}], _start + {target}",
        ]
    if isinstance(codec, CompactCodec):
        return [
            *_compact_lines(target, "_next", fail),
            f"    if {target} >= {codec.limit}: {fail}",
            "    offset = _next",
        ]
    return None


def _compact_lines(target: str, end: str, fail: str) -> list[str]:
    """Decode a compact integer inline for the one- and two-byte modes (lengths, counts)."""
    return [
        "    _first = data[offset] if offset < _size else 3",
        f"    if not _first & 3: {target}, {end} = _first >> 2, offset + 1",
        "    elif _first & 3 == 1 and offset + 1 < _size:",
        f"        {target} = (_first | data[offset + 1] << 8) >> 2",
        f"        if {target} < 64: {fail}",
        f"        {end} = offset + 2",
        f"    else: {target}, {end} = _decode_compact(data, offset)",
    ]


def decode_failure(codec: Codec[Any], data: bytes, offset: int) -> ScaleError:
    """Re-run the codec's own decoder, which raises the precise error the snippet detected.

    Returns a generic end-of-input error only if the codec unexpectedly accepts the bytes.
    """
    codec.decode_at(data, offset)
    return unexpected_end(codec.name, offset, codec.min_size, len(data) - offset)


def encode_snippet(
    codec: Codec[Any], expression: str, key: str, namespace: dict[str, Any]
) -> list[str] | None:
    """Return lines that append the encoding of ``expression`` to ``out``, or None."""
    namespace[f"_codec{key}"] = codec
    fallback = f"_codec{key}.encode_to(_x, out)"
    if isinstance(codec, BoolCodec):
        return [
            f"    _x = {expression}",
            "    if _x is True: out.append(1)",
            "    elif _x is False: out.append(0)",
            f"    else: {fallback}",
        ]
    if isinstance(codec, WideIntCodec):
        signed = codec.name.startswith("i")
        namespace["_range_errors"] = (OverflowError, AttributeError, TypeError)
        namespace[f"_range{key}"] = _range_failure
        return [
            "    try:",
            f"        out += {expression}.to_bytes({codec.min_size}, 'little', signed={signed})",
            "    except _range_errors:",
            f"        raise _range{key}(_codec{key}, {expression}) from None",
        ]
    namespace["_encode_compact"] = encode_compact
    if isinstance(codec, BytesCodec):
        return [
            f"    _x = {expression}",
            f"    if type(_x) is not bytes: {fallback}",
            "    elif len(_x) < 64: out.append(len(_x) << 2); out += _x",
            "    else: _encode_compact(len(_x), out); out += _x",
        ]
    if isinstance(codec, CompactCodec):
        two_byte_limit = min(1 << 14, codec.limit)
        return [
            f"    _x = {expression}",
            "    if type(_x) is int and 0 <= _x < 64: out.append(_x << 2)",
            f"    elif type(_x) is int and 64 <= _x < {two_byte_limit}: "
            "out += ((_x << 2) | 1).to_bytes(2, 'little')",
            f"    else: {fallback}",
        ]
    return None


def _range_failure(codec: Codec[Any], value: Any) -> ScaleError:
    return ScaleError(ScaleErrorCode.VALUE_OUT_OF_RANGE, f"{value!r} is not a valid {codec.name}")
