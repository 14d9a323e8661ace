"""SCALE values by a scale-info portable type registry, as ink! metadata carries it.

ink!'s ``.json`` metadata describes every argument, return value and event field by an id into
its ``types`` list (scale-info's ``PortableRegistry``). :class:`PortableCodec` encodes Python
values to SCALE and decodes them back by those ids. The Python shapes, chosen to read like the
contract's Rust:

=================================  ===========================================================
SCALE type                         Python value
=================================  ===========================================================
``bool``, ``str``, integers        ``bool``, ``str``, ``int`` (range-checked)
``Vec<u8>``, ``[u8; N]``           ``bytes`` (``0x…`` hex accepted when encoding)
other sequences, arrays, tuples    ``list`` (``tuple`` accepted); the empty tuple ``()`` is None
struct with named fields           ``dict`` by field name
newtype (one unnamed field)        the inner value: ``AccountId`` is its 32 bytes
``Option<T>``                      ``None`` or the value
other enums                        ``"Variant"`` for a field-less variant, else
                                   ``{"Variant": value}`` (value shaped like a struct's fields)
=================================  ===========================================================

An ``AccountId`` (a path ending in ``AccountId``) also accepts an SS58 address when encoding.
"""

from __future__ import annotations

from typing import Any

from khala.contracts.errors import AbiError, AbiErrorCode
from khala.primitives.scale.compact import decode_compact, encode_compact
from khala.primitives.scale.errors import ScaleError
from khala.primitives.ss58 import Ss58Error, ss58_decode

_INT_WIDTHS: dict[str, tuple[int, bool]] = {
    "u8": (1, False),
    "u16": (2, False),
    "u32": (4, False),
    "u64": (8, False),
    "u128": (16, False),
    "u256": (32, False),
    "i8": (1, True),
    "i16": (2, True),
    "i32": (4, True),
    "i64": (8, True),
    "i128": (16, True),
    "i256": (32, True),
}
"""Byte width and signedness of scale-info's integer primitives."""


class PortableCodec:
    """Encode and decode values by the type ids of one portable type registry."""

    def __init__(self, types: list[dict[str, Any]]) -> None:
        """Index the registry (the ``types`` list of ink! metadata) by id."""
        self._types: dict[int, dict[str, Any]] = {}
        for entry in types:
            if not isinstance(entry, dict) or "id" not in entry or "type" not in entry:
                raise AbiError(AbiErrorCode.UNSUPPORTED_METADATA, "a type entry lacks id or type")
            self._types[int(entry["id"])] = entry["type"]

    def type_of(self, type_id: int) -> dict[str, Any]:
        """Return the registry entry (``def``, ``path``, ``params``) of a type id."""
        try:
            return self._types[type_id]
        except KeyError:
            raise AbiError(
                AbiErrorCode.UNKNOWN_TYPE, f"type id {type_id} is not in the registry"
            ) from None

    def path_of(self, type_id: int) -> list[str]:
        """Return the Rust path of a type (empty for anonymous types)."""
        return list(self.type_of(type_id).get("path", []))

    def encode(self, type_id: int, value: Any) -> bytes:
        """Encode ``value`` as the type ``type_id``.

        Raises:
            AbiError: ``abi.invalid_value`` naming the type, or ``abi.unsupported_type``.
        """
        out = bytearray()
        self._encode(type_id, value, out)
        return bytes(out)

    def decode(self, type_id: int, data: bytes) -> Any:
        """Decode exactly ``data`` as the type ``type_id`` (trailing bytes are an error)."""
        value, end = self.decode_at(type_id, data, 0)
        if end != len(data):
            raise AbiError(
                AbiErrorCode.DECODE_FAILED,
                f"{len(data) - end} trailing bytes after a value of type {self._name(type_id)}",
            )
        return value

    def decode_at(self, type_id: int, data: bytes, offset: int) -> tuple[Any, int]:
        """Decode one value at ``offset``; return it and the offset after it."""
        try:
            return self._decode(type_id, data, offset)
        except (IndexError, ScaleError) as error:
            raise AbiError(
                AbiErrorCode.DECODE_FAILED,
                f"bytes end or break inside a value of type {self._name(type_id)}: {error}",
            ) from None

    def _name(self, type_id: int) -> str:
        entry = self.type_of(type_id)
        path = entry.get("path") or []
        if path:
            return "::".join(path)
        definition = entry["def"]
        kind = next(iter(definition))
        return str(definition[kind]) if kind == "primitive" else f"{kind} #{type_id}"

    def _invalid(self, type_id: int, value: Any, why: str) -> AbiError:
        return AbiError(
            AbiErrorCode.INVALID_VALUE,
            f"{value!r} is not a valid {self._name(type_id)}: {why}",
        )

    # Encoding ---------------------------------------------------------------------------

    def _encode(self, type_id: int, value: Any, out: bytearray) -> None:
        entry = self.type_of(type_id)
        definition = entry["def"]
        kind = next(iter(definition))
        body = definition[kind]
        if kind == "primitive":
            self._encode_primitive(type_id, body, value, out)
        elif kind == "composite":
            self._encode_fields(type_id, body.get("fields", []), value, out, entry)
        elif kind == "variant":
            self._encode_variant(type_id, body.get("variants", []), value, out, entry)
        elif kind in ("sequence", "array"):
            self._encode_sequence(type_id, kind, body, value, out)
        elif kind == "tuple":
            self._encode_tuple(type_id, body, value, out)
        elif kind == "compact":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise self._invalid(type_id, value, "a compact needs a non-negative integer")
            encode_compact(value, out)
        else:
            raise AbiError(AbiErrorCode.UNSUPPORTED_TYPE, f"{kind} types are not supported")

    def _encode_primitive(self, type_id: int, name: str, value: Any, out: bytearray) -> None:
        if name == "bool":
            if not isinstance(value, bool):
                raise self._invalid(type_id, value, "expected True or False")
            out.append(1 if value else 0)
        elif name == "str":
            if not isinstance(value, str):
                raise self._invalid(type_id, value, "expected a string")
            raw = value.encode()
            encode_compact(len(raw), out)
            out += raw
        elif name == "char":
            if not isinstance(value, str) or len(value) != 1:
                raise self._invalid(type_id, value, "expected one character")
            out += ord(value).to_bytes(4, "little")
        elif name in _INT_WIDTHS:
            width, signed = _INT_WIDTHS[name]
            if not isinstance(value, int) or isinstance(value, bool):
                raise self._invalid(type_id, value, "expected an integer")
            try:
                out += value.to_bytes(width, "little", signed=signed)
            except OverflowError:
                raise self._invalid(type_id, value, f"out of range for {name}") from None
        else:
            raise AbiError(AbiErrorCode.UNSUPPORTED_TYPE, f"unknown primitive {name!r}")

    def _encode_fields(
        self,
        type_id: int,
        fields: list[dict[str, Any]],
        value: Any,
        out: bytearray,
        entry: dict[str, Any],
    ) -> None:
        if not fields:
            if value not in (None, {}, [], ()):
                raise self._invalid(type_id, value, "a unit struct takes None")
            return
        if all("name" in field for field in fields):
            if not isinstance(value, dict):
                raise self._invalid(type_id, value, "expected a dict of its fields")
            names = [field["name"] for field in fields]
            if set(value) != set(names):
                raise self._invalid(type_id, value, f"expected exactly the fields {names}")
            for field in fields:
                self._encode(field["type"], value[field["name"]], out)
            return
        if len(fields) == 1:
            inner = fields[0]["type"]
            path = entry.get("path") or []
            if path and path[-1] == "AccountId" and isinstance(value, str):
                value = _account_bytes(value)
            self._encode(inner, value, out)
            return
        if not isinstance(value, list | tuple) or len(value) != len(fields):
            raise self._invalid(type_id, value, f"expected a list of {len(fields)} values")
        for field, item in zip(fields, value, strict=True):
            self._encode(field["type"], item, out)

    def _encode_variant(
        self,
        type_id: int,
        variants: list[dict[str, Any]],
        value: Any,
        out: bytearray,
        entry: dict[str, Any],
    ) -> None:
        by_name = {variant["name"]: variant for variant in variants}
        if entry.get("path") == ["Option"]:
            if value is None:
                out.append(by_name["None"]["index"])
                return
            out.append(by_name["Some"]["index"])
            self._encode(by_name["Some"]["fields"][0]["type"], value, out)
            return
        if isinstance(value, str):
            name, payload = value, None
        elif isinstance(value, dict) and len(value) == 1:
            name, payload = next(iter(value.items()))
        else:
            raise self._invalid(type_id, value, f"expected one of {sorted(by_name)}")
        variant = by_name.get(name)
        if variant is None:
            raise self._invalid(type_id, value, f"no variant {name!r}; one of {sorted(by_name)}")
        out.append(variant["index"])
        self._encode_fields(type_id, variant.get("fields", []), payload, out, {})

    def _encode_sequence(
        self, type_id: int, kind: str, body: dict[str, Any], value: Any, out: bytearray
    ) -> None:
        item_type = body["type"]
        length = body.get("len")
        if self._is_u8(item_type):
            raw = _bytes_of(value)
            if raw is None:
                raise self._invalid(type_id, value, "expected bytes or 0x-prefixed hex")
            if kind == "array" and len(raw) != length:
                raise self._invalid(type_id, value, f"expected exactly {length} bytes")
            if kind == "sequence":
                encode_compact(len(raw), out)
            out += raw
            return
        if not isinstance(value, list | tuple):
            raise self._invalid(type_id, value, "expected a list")
        if kind == "array" and len(value) != length:
            raise self._invalid(type_id, value, f"expected exactly {length} items")
        if kind == "sequence":
            encode_compact(len(value), out)
        for item in value:
            self._encode(item_type, item, out)

    def _encode_tuple(self, type_id: int, members: list[int], value: Any, out: bytearray) -> None:
        if not members:
            if value not in (None, (), []):
                raise self._invalid(type_id, value, "the unit type () takes None")
            return
        if not isinstance(value, list | tuple) or len(value) != len(members):
            raise self._invalid(type_id, value, f"expected {len(members)} values")
        for member, item in zip(members, value, strict=True):
            self._encode(member, item, out)

    def _is_u8(self, type_id: int) -> bool:
        return bool(self.type_of(type_id)["def"] == {"primitive": "u8"})

    # Decoding ---------------------------------------------------------------------------

    def _decode(self, type_id: int, data: bytes, offset: int) -> tuple[Any, int]:
        entry = self.type_of(type_id)
        definition = entry["def"]
        kind = next(iter(definition))
        body = definition[kind]
        if kind == "primitive":
            return self._decode_primitive(type_id, body, data, offset)
        if kind == "composite":
            return self._decode_fields(body.get("fields", []), data, offset)
        if kind == "variant":
            return self._decode_variant(type_id, body.get("variants", []), data, offset, entry)
        if kind in ("sequence", "array"):
            return self._decode_sequence(kind, body, data, offset)
        if kind == "tuple":
            if not body:
                return None, offset
            items = []
            for member in body:
                item, offset = self._decode(member, data, offset)
                items.append(item)
            return items, offset
        if kind == "compact":
            return decode_compact(data, offset)
        raise AbiError(AbiErrorCode.UNSUPPORTED_TYPE, f"{kind} types are not supported")

    def _decode_primitive(
        self, type_id: int, name: str, data: bytes, offset: int
    ) -> tuple[Any, int]:
        if name == "bool":
            byte = data[offset]
            if byte > 1:
                raise AbiError(AbiErrorCode.DECODE_FAILED, f"{byte} is not a bool (0 or 1)")
            return byte == 1, offset + 1
        if name == "str":
            length, offset = decode_compact(data, offset)
            raw = _take(data, offset, length)
            try:
                return raw.decode(), offset + length
            except UnicodeDecodeError:
                raise AbiError(AbiErrorCode.DECODE_FAILED, "a string is not UTF-8") from None
        if name == "char":
            return chr(int.from_bytes(_take(data, offset, 4), "little")), offset + 4
        if name in _INT_WIDTHS:
            width, signed = _INT_WIDTHS[name]
            raw = _take(data, offset, width)
            return int.from_bytes(raw, "little", signed=signed), offset + width
        raise AbiError(AbiErrorCode.UNSUPPORTED_TYPE, f"unknown primitive {name!r} ({type_id})")

    def _decode_fields(
        self, fields: list[dict[str, Any]], data: bytes, offset: int
    ) -> tuple[Any, int]:
        if not fields:
            return None, offset
        values = []
        for field in fields:
            value, offset = self._decode(field["type"], data, offset)
            values.append(value)
        if all("name" in field for field in fields):
            return dict(zip((field["name"] for field in fields), values, strict=True)), offset
        if len(fields) == 1:
            return values[0], offset
        return values, offset

    def _decode_variant(
        self,
        type_id: int,
        variants: list[dict[str, Any]],
        data: bytes,
        offset: int,
        entry: dict[str, Any],
    ) -> tuple[Any, int]:
        index = data[offset]
        variant = next((v for v in variants if v["index"] == index), None)
        if variant is None:
            raise AbiError(
                AbiErrorCode.DECODE_FAILED, f"{index} is not a variant of {self._name(type_id)}"
            )
        fields = variant.get("fields", [])
        payload, offset = self._decode_fields(fields, data, offset + 1)
        if entry.get("path") == ["Option"]:
            return (payload if variant["name"] == "Some" else None), offset
        if not fields:
            return variant["name"], offset
        return {variant["name"]: payload}, offset

    def _decode_sequence(
        self, kind: str, body: dict[str, Any], data: bytes, offset: int
    ) -> tuple[Any, int]:
        item_type = body["type"]
        if kind == "array":
            length = int(body["len"])
        else:
            length, offset = decode_compact(data, offset)
        if self._is_u8(item_type):
            return _take(data, offset, length), offset + length
        if length > len(data) - offset:
            raise AbiError(AbiErrorCode.DECODE_FAILED, f"{length} items cannot fit the bytes left")
        items = []
        for _ in range(length):
            item, offset = self._decode(item_type, data, offset)
            items.append(item)
        return items, offset


def _take(data: bytes, offset: int, length: int) -> bytes:
    if offset + length > len(data):
        raise AbiError(
            AbiErrorCode.DECODE_FAILED,
            f"needed {length} bytes at offset {offset}, {len(data) - offset} left",
        )
    return bytes(data[offset : offset + length])


def _bytes_of(value: Any) -> bytes | None:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str) and value.startswith("0x"):
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            return None
    return None


def _account_bytes(text: str) -> Any:
    if text.startswith("0x"):
        return text
    try:
        return ss58_decode(text)[1]
    except Ss58Error:
        return text
