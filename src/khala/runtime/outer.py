"""``RuntimeCall`` and ``RuntimeEvent``: any module's call or event, prefixed by its module index.

FRAME's ``construct_runtime`` generates these outer enums; here each module's declaration
(:class:`khala.runtime.module.RuntimeModule`) registers its ``Call`` and ``Event`` families
under its index, and one codec per kind encodes a module value as ``module index ++ the
module's own encoding``. A call or event *is* the module's variant (``TransferKeepAlive(...)``),
with no wrapper class per module, so a new module needs no edit here.

The codecs are shared by everything that carries a call (extrinsics, sudo, the scheduler) or an
event (``System.Events``). For the metadata, :meth:`OuterEnumCodec.restricted_to` gives a view
listing one runtime's modules only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from khala.primitives.scale import Codec, ScaleError, ScaleErrorCode, codec_of
from khala.primitives.scale.base import TypeDef, TypeIdAllocator
from khala.primitives.scale.enums import enum_family
from khala.primitives.scale.errors import unexpected_end

Kind = Literal["call", "event"]
"""Which outer enum."""


@dataclass(frozen=True, slots=True)
class _Entry:
    index: int
    name: str
    family: type


_BY_INDEX: dict[Kind, dict[int, _Entry]] = {"call": {}, "event": {}}
_BY_FAMILY: dict[Kind, dict[type, _Entry]] = {"call": {}, "event": {}}


_TABLE_LOADED: list[bool] = []
"""Non-empty once the default runtime table has been composed (a one-way latch)."""


def _load_table() -> None:
    """Make sure the default runtime table is composed (composing it registers its modules)."""
    if not _TABLE_LOADED:
        import khala.runtime.table  # noqa: F401, PLC0415 - composing the table registers modules

        _TABLE_LOADED.append(True)


def register_family(kind: Kind, index: int, name: str, family: type) -> None:
    """Register a module's call or event family under its module index.

    Declaring the same module twice is allowed (re-imports); a different family under a taken
    index, or one family under two indices, is a programming error.

    Raises:
        ScaleError: ``scale.unsupported_type`` for a conflicting registration.
    """
    entry = _Entry(index, name, family)
    known = _BY_INDEX[kind].get(index)
    by_family = _BY_FAMILY[kind].get(family)
    if (known is not None and known != entry) or (by_family is not None and by_family != entry):
        raise ScaleError(
            ScaleErrorCode.UNSUPPORTED_TYPE,
            f"module {name} ({index}) conflicts with a registered {kind} family",
        )
    _BY_INDEX[kind][index] = entry
    _BY_FAMILY[kind][family] = entry


def module_index_of(kind: Kind, value: Any) -> int | None:
    """Return the module index of a call or event value, or None if no module declares it."""
    try:
        family = enum_family(type(value))
    except ScaleError:
        return None
    _load_table()
    entry = _BY_FAMILY[kind].get(family)
    return None if entry is None else entry.index


class OuterEnumCodec(Codec[Any]):
    """Encodes any registered module's call (or event) as ``module index ++ variant``."""

    min_size = 2

    def __init__(self, kind: Kind, indices: frozenset[int] | None = None) -> None:
        """Create the codec of every registered module, or only of ``indices``."""
        self.kind = kind
        self.name = "RuntimeCall" if kind == "call" else "RuntimeEvent"
        self._indices = indices
        self._by_type: dict[type, tuple[int, Codec[Any]]] = {}

    def restricted_to(self, indices: frozenset[int]) -> OuterEnumCodec:
        """Return the same enum limited to some modules (one runtime's metadata)."""
        return OuterEnumCodec(self.kind, indices)

    def _entries(self) -> list[_Entry]:
        _load_table()
        return [
            entry
            for index, entry in sorted(_BY_INDEX[self.kind].items())
            if self._indices is None or index in self._indices
        ]

    def encode_to(self, value: Any, out: bytearray) -> None:
        """Append the module index, then the module's encoding of ``value``.

        Each variant class's index and codec are looked up once (registrations never change
        an entry, so the answer is fixed).
        """
        found = self._by_type.get(type(value))
        if found is None:
            index = module_index_of(self.kind, value)
            if index is None or (self._indices is not None and index not in self._indices):
                raise ScaleError(
                    ScaleErrorCode.WRONG_TYPE,
                    f"{type(value).__name__} is not a {self.kind} of any module of this runtime",
                )
            found = self._by_type[type(value)] = (
                index,
                codec_of(_BY_INDEX[self.kind][index].family),
            )
        out.append(found[0])
        found[1].encode_to(value, out)

    def decode_at(self, data: bytes, offset: int) -> tuple[Any, int]:
        """Read the module index, then decode that module's variant."""
        if offset >= len(data):
            raise unexpected_end(f"{self.name} module index", offset, 1, 0)
        index = data[offset]
        _load_table()
        entry = _BY_INDEX[self.kind].get(index)
        if entry is None or (self._indices is not None and index not in self._indices):
            raise ScaleError(
                ScaleErrorCode.UNKNOWN_VARIANT,
                f"{self.name} has no module {index}",
                offset=offset,
            )
        return codec_of(entry.family).decode_at(data, offset + 1)

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as FRAME does: one variant per module, named after it, index = module index."""
        return {
            "variant": {
                "variants": [
                    {
                        "name": entry.name,
                        "fields": [
                            {
                                "type": registry.id_of(codec_of(entry.family)),
                                "typeName": f"{entry.name}{self.kind.capitalize()}",
                                "docs": [],
                            }
                        ],
                        "index": entry.index,
                        "docs": [],
                    }
                    for entry in self._entries()
                ]
            }
        }

    def type_path(self) -> tuple[str, ...]:
        """``khala_runtime::RuntimeCall`` / ``RuntimeEvent``, the names FRAME runtimes use."""
        return ("khala_runtime", self.name)


CALL_CODEC = OuterEnumCodec("call")
"""The codec of every ``RuntimeCall``."""
EVENT_CODEC = OuterEnumCodec("event")
"""The codec of every ``RuntimeEvent``."""

RuntimeCall = Annotated[Any, CALL_CODEC]
"""Any module's call (annotation): a variant of some module's ``Call`` family."""
RuntimeEvent = Annotated[Any, EVENT_CODEC]
"""Any module's event (annotation): a variant of some module's ``Event`` family."""
