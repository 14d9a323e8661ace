"""ink! contract metadata (v4 and v5 ``.json``): call data, return values and events.

``cargo-contract`` writes one JSON file per contract: its constructors and messages (each with
a 4-byte selector, labelled arguments and a return type), its events and the portable type
registry every type refers to. :class:`InkMetadata` turns it into what a client needs:

* call data: ``selector ‖ SCALE(arg₁) ‖ … ‖ SCALE(argₙ)``, as the contract's dispatcher reads it;
* return values: ink! wraps every result in ``Result<T, LangError>`` (``MessageResult``); the
  decoded value keeps that shape (``{"Ok": …}`` or ``{"Err": "CouldNotReadInput"}``);
* events: v4 prefixes the data with the event's index in the metadata; v5 names the event by
  its signature topic, the first topic (anonymous events have none and cannot be told apart).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khala.contracts.abi.portable import PortableCodec
from khala.contracts.errors import AbiError, AbiErrorCode

SUPPORTED_VERSIONS = (4, 5)
"""The metadata versions ink! 4 and 5 write; older ones use another layout of ``spec``."""


@dataclass(frozen=True, slots=True)
class ArgSpec:
    """One argument of a constructor or message."""

    label: str
    """The argument's name in the contract's source."""
    type_id: int
    """Its type in the metadata's registry."""


@dataclass(frozen=True, slots=True)
class MessageSpec:
    """A constructor or a message."""

    label: str
    """The Rust name (``flip``, ``new``)."""
    selector: bytes
    """The 4 bytes the contract's dispatcher matches on."""
    args: tuple[ArgSpec, ...]
    """Arguments in order."""
    return_type: int | None
    """The registry type of the (``MessageResult``-wrapped) return value, if declared."""
    mutates: bool
    """Whether the message may write state (constructors always do)."""
    payable: bool
    """Whether value may be sent with it."""
    docs: tuple[str, ...]
    """Its doc comment lines."""


@dataclass(frozen=True, slots=True)
class EventField:
    """One field of an event."""

    label: str
    """The field's name."""
    type_id: int
    """Its type in the registry."""
    indexed: bool
    """Whether the field is also published as a topic."""


@dataclass(frozen=True, slots=True)
class EventSpec:
    """An event the contract may emit."""

    label: str
    """The event's name (``Transfer``)."""
    fields: tuple[EventField, ...]
    """Its fields in encoding order."""
    signature_topic: bytes | None
    """v5: the topic naming the event (None for anonymous events and for v4)."""


@dataclass(frozen=True, slots=True)
class DecodedEvent:
    """An event decoded by the metadata."""

    label: str
    """Which event."""
    fields: dict[str, Any]
    """Its field values by name."""


class InkMetadata:
    """A contract's ABI, parsed from its ink! v4/v5 metadata JSON."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        """Parse a metadata document (the JSON object).

        Raises:
            AbiError: ``abi.unsupported_metadata`` for other versions or a broken layout.
        """
        version = document.get("version")
        if isinstance(version, str) and version.isdigit():
            version = int(version)  # v4 writes "4", v5 writes 5
        if version not in SUPPORTED_VERSIONS:
            raise AbiError(
                AbiErrorCode.UNSUPPORTED_METADATA,
                f"metadata version {version!r} is not supported; ink! 4 or 5 metadata is",
            )
        self.version: int = int(version)
        try:
            spec = document["spec"]
            self.codec = PortableCodec(list(document["types"]))
            self.name: str = str(document.get("contract", {}).get("name", ""))
            source_hash = document.get("source", {}).get("hash")
            self.code_hash: bytes | None = _hex(source_hash) if source_hash else None
            self.constructors = tuple(_message(entry, True) for entry in spec["constructors"])
            self.messages = tuple(_message(entry, False) for entry in spec["messages"])
            self.events = tuple(_event(entry) for entry in spec.get("events", []))
        except (KeyError, TypeError, ValueError) as error:
            raise AbiError(
                AbiErrorCode.UNSUPPORTED_METADATA, f"the metadata's layout is broken: {error!r}"
            ) from None

    @classmethod
    def load(cls, path: Path) -> InkMetadata:
        """Read a metadata ``.json`` file."""
        try:
            document = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise AbiError(
                AbiErrorCode.UNSUPPORTED_METADATA, f"cannot read metadata {path}: {error}"
            ) from None
        return cls(document)

    def constructor(self, name_or_selector: str) -> MessageSpec:
        """Find a constructor by label or ``0x`` selector."""
        return _find(self.constructors, name_or_selector, "constructor")

    def message(self, name_or_selector: str) -> MessageSpec:
        """Find a message by label or ``0x`` selector."""
        return _find(self.messages, name_or_selector, "message")

    def encode_call(self, spec: MessageSpec, args: Mapping[str, Any] | Sequence[Any]) -> bytes:
        """Return ``selector ‖ args`` for a constructor or message.

        ``args`` is a mapping by argument label or a sequence in declaration order.
        """
        labels = [arg.label for arg in spec.args]
        if isinstance(args, Mapping):
            if set(args) != set(labels):
                raise AbiError(
                    AbiErrorCode.WRONG_ARGUMENTS,
                    f"{spec.label} takes {labels}, got {sorted(args)}",
                )
            values = [args[label] for label in labels]
        else:
            if len(args) != len(labels):
                raise AbiError(
                    AbiErrorCode.WRONG_ARGUMENTS,
                    f"{spec.label} takes {len(labels)} arguments {labels}, got {len(args)}",
                )
            values = list(args)
        out = bytearray(spec.selector)
        for arg, value in zip(spec.args, values, strict=True):
            out += self.codec.encode(arg.type_id, value)
        return bytes(out)

    def decode_call(self, data: bytes, *, constructor: bool = False) -> tuple[str, dict[str, Any]]:
        """Decode call data back to the message's label and its arguments by label."""
        specs = self.constructors if constructor else self.messages
        spec = next((s for s in specs if s.selector == data[:4]), None)
        if spec is None:
            raise AbiError(AbiErrorCode.UNKNOWN_MESSAGE, f"no selector 0x{data[:4].hex()}")
        offset, values = 4, {}
        for arg in spec.args:
            values[arg.label], offset = self.codec.decode_at(arg.type_id, data, offset)
        if offset != len(data):
            raise AbiError(AbiErrorCode.DECODE_FAILED, "trailing bytes after the arguments")
        return spec.label, values

    def decode_return(self, spec: MessageSpec, data: bytes) -> Any:
        """Decode what a constructor or message returned (``None`` when untyped).

        ink! writes an infallible constructor's result as ``Ok(Ok(()))`` (``00 00``) while its
        metadata declares ``Result<(), LangError>``; that one extra ``Ok`` byte is accepted.
        """
        if spec.return_type is None:
            return None
        value, end = self.codec.decode_at(spec.return_type, data, 0)
        if spec in self.constructors and value == {"Ok": None} and data[end:] == b"\x00":
            return value
        if end != len(data):
            raise AbiError(
                AbiErrorCode.DECODE_FAILED,
                f"{len(data) - end} trailing bytes after {spec.label}'s result",
            )
        return value

    def decode_event(self, topics: Sequence[bytes], data: bytes) -> DecodedEvent:
        """Decode an event the contract emitted, given its topics and data."""
        if self.version == 4:
            if not data or data[0] >= len(self.events):
                raise AbiError(AbiErrorCode.UNKNOWN_EVENT, "the event index byte matches no event")
            event, offset = self.events[data[0]], 1
        else:
            first = topics[0] if topics else None
            found = next((e for e in self.events if e.signature_topic == first), None)
            if found is None:
                raise AbiError(AbiErrorCode.UNKNOWN_EVENT, "no event has this signature topic")
            event, offset = found, 0
        fields = {}
        for field in event.fields:
            fields[field.label], offset = self.codec.decode_at(field.type_id, data, offset)
        if offset != len(data):
            raise AbiError(AbiErrorCode.DECODE_FAILED, f"trailing bytes after {event.label}")
        return DecodedEvent(event.label, fields)


def _hex(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x"):
        raise ValueError(f"{text!r} is not 0x-prefixed hex")
    return bytes.fromhex(text[2:])


def _message(entry: Mapping[str, Any], constructor: bool) -> MessageSpec:
    return_type = entry.get("returnType")
    return MessageSpec(
        label=str(entry["label"]),
        selector=_hex(entry["selector"]),
        args=tuple(ArgSpec(str(a["label"]), int(a["type"]["type"])) for a in entry["args"]),
        return_type=None if return_type is None else int(return_type["type"]),
        mutates=True if constructor else bool(entry.get("mutates", False)),
        payable=bool(entry.get("payable", False)),
        docs=tuple(entry.get("docs", [])),
    )


def _event(entry: Mapping[str, Any]) -> EventSpec:
    topic = entry.get("signature_topic")
    return EventSpec(
        label=str(entry["label"]),
        fields=tuple(
            EventField(str(a["label"]), int(a["type"]["type"]), bool(a.get("indexed", False)))
            for a in entry["args"]
        ),
        signature_topic=_hex(topic) if topic else None,
    )


def _find(specs: tuple[MessageSpec, ...], key: str, kind: str) -> MessageSpec:
    for spec in specs:
        if key in (spec.label, "0x" + spec.selector.hex()):
            return spec
    names = [spec.label for spec in specs]
    raise AbiError(AbiErrorCode.UNKNOWN_MESSAGE, f"no {kind} {key!r}; the contract has {names}")
