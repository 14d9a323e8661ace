"""A scale-info style type registry: every type a codec uses, numbered, with its shape.

Runtime metadata (a later issue) serialises this registry so tools such as polkadot.js can
decode our storage and events. Types are numbered in first-use order; a type that refers to
itself gets its id before its definition is built, so recursion terminates.
"""

from __future__ import annotations

from typing import Any

from khala.primitives.scale.base import Codec, TypeDef, TypeIdAllocator
from khala.primitives.scale.enums import EnumCodec
from khala.primitives.scale.structs import StructCodec, docs_of


class TypeRegistry(TypeIdAllocator):
    """Numbers codecs' types and records their scale-info definitions."""

    def __init__(self) -> None:
        """Create an empty registry."""
        self._ids: dict[int, int] = {}
        self._keep: list[Codec[Any]] = []
        self._entries: list[dict[str, Any]] = []

    def id_of(self, codec: Codec[Any], aliases: tuple[Codec[Any], ...] = ()) -> int:
        """Return the id of ``codec``'s type, registering it and its dependencies if new.

        ``aliases`` are other codecs of the same type: references to them while the type is
        described (a call that carries a call) resolve to the same id.
        """
        known = self._ids.get(id(codec))
        if known is not None:
            return known
        type_id = len(self._entries)
        self._ids[id(codec)] = type_id
        self._keep.append(codec)
        for alias in aliases:
            self.alias(alias, type_id)
        entry: dict[str, Any] = {"id": type_id, "type": {}}
        self._entries.append(entry)
        definition: TypeDef = codec.type_def(self)
        params = [
            {"name": name, "type": self.id_of(param)}
            for name, param in zip(("T", "E"), codec.type_params(), strict=False)
        ]
        docs: list[str] = []
        if isinstance(codec, StructCodec):
            docs = docs_of(codec.cls)
        elif isinstance(codec, EnumCodec):
            docs = docs_of(codec.family)
        entry["type"] = {
            "path": list(codec.type_path()),
            "params": params,
            "def": definition,
            "docs": docs,
        }
        return type_id

    def alias(self, codec: Codec[Any], type_id: int) -> None:
        """Describe ``codec`` as the already registered type ``type_id`` (one type, two codecs)."""
        self._ids[id(codec)] = type_id
        self._keep.append(codec)

    def portable(self) -> list[dict[str, Any]]:
        """Return every registered type as scale-info's ``PortableRegistry`` JSON shape."""
        return [dict(entry) for entry in self._entries]

    def __len__(self) -> int:
        """Return how many types are registered."""
        return len(self._entries)
