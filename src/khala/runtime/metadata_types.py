"""Substrate's runtime metadata format (``frame-metadata`` V14 and V15), declared once in SCALE.

``RuntimeMetadataPrefixed`` is the magic ``b"meta"`` followed by the version enum, whose
variant index is the version number. Type references are ``Compact<u32>`` ids into the
portable type registry (scale-info's ``PortableRegistry``). The field order of every record
below is the order ``frame-metadata`` encodes, which is what substrate-interface and
@polkadot/api decode.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from khala.primitives.scale import U8, U32, CompactU32, ScaleEnum, variant

METADATA_MAGIC = b"meta"
"""The four bytes every encoded metadata starts with (``0x6d657461``)."""

TypeId = CompactU32
"""A reference to a type of the portable registry."""


@dataclass(frozen=True, slots=True)
class Field:
    """A field of a composite or of an enum variant."""

    name: str | None
    """The field's name (None for tuple-like fields)."""
    type: TypeId
    """Its type."""
    type_name: str | None
    """The type as written in the source."""
    docs: list[str]
    """Documentation lines."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One variant of an enum type."""

    name: str
    """Its name."""
    fields: list[Field]
    """What it carries."""
    index: U8
    """Its encoded index."""
    docs: list[str]
    """Documentation lines."""


class TypeDef(ScaleEnum):
    """The shape of a type."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Composite(TypeDef):
    """A struct or tuple struct."""

    fields: list[Field]
    """Its fields in order."""


@variant(1)
@dataclass(frozen=True, slots=True)
class VariantDef(TypeDef):
    """An enum."""

    variants: list[Variant]
    """Its variants."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Sequence(TypeDef):
    """``Vec<T>``."""

    type: TypeId
    """The item type."""


@variant(3)
@dataclass(frozen=True, slots=True)
class Array(TypeDef):
    """``[T; len]``."""

    len: U32
    """The number of items."""
    type: TypeId
    """The item type."""


@variant(4)
@dataclass(frozen=True, slots=True)
class Tuple(TypeDef):
    """``(A, B, ...)``."""

    fields: list[TypeId]
    """The element types."""


class Primitive(enum.IntEnum):
    """scale-info's primitive types, in its order."""

    BOOL = 0
    """``bool``."""
    CHAR = 1
    """``char``."""
    STR = 2
    """``str``."""
    U8 = 3
    """``u8``."""
    U16 = 4
    """``u16``."""
    U32 = 5
    """``u32``."""
    U64 = 6
    """``u64``."""
    U128 = 7
    """``u128``."""
    U256 = 8
    """``u256``."""
    I8 = 9
    """``i8``."""
    I16 = 10
    """``i16``."""
    I32 = 11
    """``i32``."""
    I64 = 12
    """``i64``."""
    I128 = 13
    """``i128``."""
    I256 = 14
    """``i256``."""


@variant(5)
@dataclass(frozen=True, slots=True)
class PrimitiveDef(TypeDef):
    """A primitive type."""

    primitive: Primitive
    """Which one."""


@variant(6)
@dataclass(frozen=True, slots=True)
class CompactDef(TypeDef):
    """``Compact<T>``."""

    type: TypeId
    """The integer type."""


@dataclass(frozen=True, slots=True)
class TypeParameter:
    """A generic parameter of a type."""

    name: str
    """Its name (``T``, ``AccountId``...)."""
    type: TypeId | None
    """What it is bound to."""


@dataclass(frozen=True, slots=True)
class Type:
    """A type of the registry."""

    path: list[str]
    """Its Rust path (empty for built-in types)."""
    params: list[TypeParameter]
    """Generic parameters."""
    definition: TypeDef
    """Its shape."""
    docs: list[str]
    """Documentation lines."""


@dataclass(frozen=True, slots=True)
class PortableType:
    """A registry entry."""

    id: TypeId
    """Its id (its position in the registry)."""
    type: Type
    """The type."""


class StorageHasherKind(enum.IntEnum):
    """``frame_metadata::StorageHasher``, in its order."""

    BLAKE2_128 = 0
    """blake2-128."""
    BLAKE2_256 = 1
    """blake2-256."""
    BLAKE2_128_CONCAT = 2
    """blake2-128 followed by the key."""
    TWOX128 = 3
    """twox-128."""
    TWOX256 = 4
    """twox-256."""
    TWOX64_CONCAT = 5
    """twox-64 followed by the key."""
    IDENTITY = 6
    """The key itself."""


class StorageEntryModifier(enum.IntEnum):
    """Whether an absent entry reads as None or as the default."""

    OPTIONAL = 0
    """``OptionQuery``: absent means None."""
    DEFAULT = 1
    """``ValueQuery``: absent means the default bytes."""


class StorageEntryType(ScaleEnum):
    """A plain value or a map."""


@variant(0)
@dataclass(frozen=True, slots=True)
class PlainEntry(StorageEntryType):
    """A single value."""

    value: TypeId
    """Its type."""


@variant(1)
@dataclass(frozen=True, slots=True)
class MapEntry(StorageEntryType):
    """A map with one hasher per key part."""

    hashers: list[StorageHasherKind]
    """Each key part's hasher."""
    key: TypeId
    """The key type (a tuple for several parts)."""
    value: TypeId
    """The value type."""


@dataclass(frozen=True, slots=True)
class StorageEntry:
    """One storage item."""

    name: str
    """Its name (the second half of its key prefix)."""
    modifier: StorageEntryModifier
    """Optional or default."""
    type: StorageEntryType
    """Its key and value types."""
    default: bytes
    """What an absent entry reads as, encoded."""
    docs: list[str]
    """Documentation lines."""


@dataclass(frozen=True, slots=True)
class PalletStorage:
    """A pallet's storage."""

    prefix: str
    """The pallet's storage prefix."""
    entries: list[StorageEntry]
    """Its items."""


@dataclass(frozen=True, slots=True)
class PalletConstant:
    """A constant of a pallet."""

    name: str
    """Its name."""
    type: TypeId
    """Its type."""
    value: bytes
    """Its encoded value."""
    docs: list[str]
    """Documentation lines."""


@dataclass(frozen=True, slots=True)
class PalletV14:
    """A pallet in V14 metadata."""

    name: str
    """Its name."""
    storage: PalletStorage | None
    """Its storage, if any."""
    calls: TypeId | None
    """Its call enum, if any."""
    event: TypeId | None
    """Its event enum, if any."""
    constants: list[PalletConstant]
    """Its constants."""
    error: TypeId | None
    """Its error enum, if any."""
    index: U8
    """Its index."""


@dataclass(frozen=True, slots=True)
class PalletV15:
    """A pallet in V15 metadata: V14's fields plus docs."""

    name: str
    """Its name."""
    storage: PalletStorage | None
    """Its storage, if any."""
    calls: TypeId | None
    """Its call enum, if any."""
    event: TypeId | None
    """Its event enum, if any."""
    constants: list[PalletConstant]
    """Its constants."""
    error: TypeId | None
    """Its error enum, if any."""
    index: U8
    """Its index."""
    docs: list[str]
    """Documentation lines."""


@dataclass(frozen=True, slots=True)
class SignedExtension:
    """A signed extension: what it adds to the extrinsic and to the signed payload."""

    identifier: str
    """Its name (``CheckNonce``...), which clients match."""
    type: TypeId
    """What it adds to the extrinsic."""
    additional_signed: TypeId
    """What it adds to the signed payload only."""


@dataclass(frozen=True, slots=True)
class ExtrinsicV14:
    """The extrinsic format in V14."""

    type: TypeId
    """The ``UncheckedExtrinsic`` type (its parameters name address, call, signature, extra)."""
    version: U8
    """The extrinsic format version (4)."""
    signed_extensions: list[SignedExtension]
    """The signed extensions, in payload order."""


@dataclass(frozen=True, slots=True)
class ExtrinsicV15:
    """The extrinsic format in V15."""

    version: U8
    """The extrinsic format version (4)."""
    address_type: TypeId
    """The signer address type."""
    call_type: TypeId
    """The ``RuntimeCall`` type."""
    signature_type: TypeId
    """The signature type."""
    extra_type: TypeId
    """The tuple of signed extensions."""
    signed_extensions: list[SignedExtension]
    """The signed extensions, in payload order."""


@dataclass(frozen=True, slots=True)
class RuntimeApiParam:
    """An input of a runtime API method."""

    name: str
    """Its name."""
    type: TypeId
    """Its type."""


@dataclass(frozen=True, slots=True)
class RuntimeApiMethod:
    """A runtime API method (``state_call`` name ``<Api>_<method>``)."""

    name: str
    """Its name."""
    inputs: list[RuntimeApiParam]
    """Its inputs, SCALE-concatenated in ``state_call``'s data."""
    output: TypeId
    """Its result type."""
    docs: list[str]
    """Documentation lines."""


@dataclass(frozen=True, slots=True)
class RuntimeApi:
    """A runtime API trait."""

    name: str
    """Its name (``Core``...)."""
    methods: list[RuntimeApiMethod]
    """Its methods."""
    docs: list[str]
    """Documentation lines."""


@dataclass(frozen=True, slots=True)
class OuterEnums:
    """The runtime's outer enums."""

    call_type: TypeId
    """``RuntimeCall``."""
    event_type: TypeId
    """``RuntimeEvent``."""
    error_type: TypeId
    """``RuntimeError``."""


@dataclass(frozen=True, slots=True)
class CustomValue:
    """A custom metadata value."""

    type: TypeId
    """Its type."""
    value: bytes
    """Its encoding."""


@dataclass(frozen=True, slots=True)
class MetadataV14:
    """``RuntimeMetadataV14``."""

    types: list[PortableType]
    """The portable type registry."""
    pallets: list[PalletV14]
    """The pallets in runtime order."""
    extrinsic: ExtrinsicV14
    """The extrinsic format."""
    runtime_type: TypeId
    """The runtime type."""


@dataclass(frozen=True, slots=True)
class MetadataV15:
    """``RuntimeMetadataV15``."""

    types: list[PortableType]
    """The portable type registry."""
    pallets: list[PalletV15]
    """The pallets in runtime order."""
    extrinsic: ExtrinsicV15
    """The extrinsic format."""
    runtime_type: TypeId
    """The runtime type."""
    apis: list[RuntimeApi]
    """The runtime APIs."""
    outer_enums: OuterEnums
    """The outer enums."""
    custom: list[tuple[str, CustomValue]]
    """Custom values (a ``BTreeMap``; none here)."""


class RuntimeMetadata(ScaleEnum):
    """The metadata of some version; the variant index is the version."""


@variant(14)
@dataclass(frozen=True, slots=True)
class V14(RuntimeMetadata):
    """Version 14."""

    metadata: MetadataV14
    """The metadata."""


@variant(15)
@dataclass(frozen=True, slots=True)
class V15(RuntimeMetadata):
    """Version 15."""

    metadata: MetadataV15
    """The metadata."""


@dataclass(frozen=True, slots=True)
class RuntimeMetadataPrefixed:
    """``b"meta"`` then the versioned metadata."""

    magic: U32
    """``0x6174656d`` (``b"meta"`` little-endian)."""
    metadata: RuntimeMetadata
    """The metadata."""
