"""Errors raised by the SCALE codec.

A decoder never lets ``IndexError``, ``struct.error`` or ``UnicodeDecodeError`` escape and never
returns a half-built value: it raises :class:`ScaleError` naming what it expected and the byte
offset where the input stopped making sense.
"""

from __future__ import annotations

from enum import StrEnum

from khala.errors import DecodeError


class ScaleErrorCode(StrEnum):
    """Codes of :class:`ScaleError`."""

    UNEXPECTED_END = "scale.unexpected_end"
    """The input ended before the value it describes was complete."""
    TRAILING_BYTES = "scale.trailing_bytes"
    """A whole-input decode finished with bytes left over."""
    INVALID_BOOL = "scale.invalid_bool"
    """A bool byte was neither 0 nor 1."""
    INVALID_OPTION = "scale.invalid_option"
    """An Option tag byte was neither 0 (None) nor 1 (Some)."""
    INVALID_RESULT = "scale.invalid_result"
    """A Result tag byte was neither 0 (Ok) nor 1 (Err)."""
    UNKNOWN_VARIANT = "scale.unknown_variant"
    """An enum index names no declared variant."""
    NON_CANONICAL_COMPACT = "scale.non_canonical_compact"
    """A compact integer used a longer mode than its value needs (parity-scale-codec rejects it)."""
    COMPACT_OVERFLOW = "scale.compact_overflow"
    """A compact integer exceeds the width of the type it encodes."""
    INVALID_UTF8 = "scale.invalid_utf8"
    """A string's bytes are not valid UTF-8."""
    LENGTH_TOO_LARGE = "scale.length_too_large"
    """A length prefix claims more items than the input could possibly hold."""
    VALUE_OUT_OF_RANGE = "scale.value_out_of_range"
    """An integer to encode does not fit the declared width or signedness."""
    WRONG_TYPE = "scale.wrong_type"
    """A value to encode is not of the declared type (or a fixed array has the wrong length)."""
    UNSUPPORTED_TYPE = "scale.unsupported_type"
    """A type annotation cannot be mapped to a SCALE codec (for example a bare ``int``)."""


class ScaleError(DecodeError):
    """A value could not be encoded or bytes could not be decoded.

    ``offset`` is set for decode errors and ``None`` for encode and declaration errors.
    """


def unexpected_end(expected: str, offset: int, needed: int, available: int) -> ScaleError:
    """Build the error for input that ends too early.

    Args:
        expected: What was being decoded, e.g. ``"u32"``.
        offset: Where that value starts.
        needed: How many bytes it needs from ``offset``.
        available: How many bytes remain from ``offset``.
    """
    return ScaleError(
        ScaleErrorCode.UNEXPECTED_END,
        f"expected {expected} of {needed} bytes but only {max(available, 0)} remain",
        offset=offset,
    )
