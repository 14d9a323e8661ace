"""Substrate runtime metadata (V14 and V15), generated from the runtime table.

Nothing here is written by hand per module: the pallets, their storage, calls, events, errors
and constants come from :class:`khala.runtime.composition.Runtime`; the types from the SCALE
declarations through :class:`TypeRegistry`. What tools need to recognise is given Substrate's
names: type paths (``sp_core::crypto::AccountId32``, ``sp_runtime::DispatchError``,
``pallet_balances::pallet::Call``), snake_case call names, PascalCase error names, the signed
extensions our signed payload contains, and the ``UncheckedExtrinsic`` type whose parameters
name the address, call, signature and extra types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from khala.primitives.docs import attribute_docs
from khala.primitives.scale import U32, Codec, Compact, CompactU32, codec_of, encode
from khala.primitives.scale.base import TypeDef, TypeIdAllocator
from khala.primitives.scale.containers import TupleCodec
from khala.primitives.scale.registry import TypeRegistry
from khala.primitives.types import Header
from khala.runtime import metadata_types as md
from khala.runtime.apis import RUNTIME_APIS
from khala.runtime.block import OpaqueExtrinsic
from khala.runtime.composition import Runtime
from khala.runtime.events import EventRecord
from khala.runtime.extrinsic import SIGNED_VERSION, EraCodec
from khala.runtime.metadata_names import pascal, portable_definition, snake, substrate_path
from khala.runtime.module import RuntimeModule
from khala.runtime.outer import CALL_CODEC, EVENT_CODEC
from khala.runtime.presets import Preset
from khala.runtime.types import AccountId, Hash, MultiAddress, MultiSignature

SUPPORTED_VERSIONS = (14, 15)
"""Metadata versions served (``Metadata_metadata_versions``); V14 is the default."""
EXTRINSIC_VERSION = SIGNED_VERSION & 0x7F
"""The extrinsic format version (4)."""

_SIGNED_EXTENSIONS = (
    "CheckNonZeroSender",
    "CheckSpecVersion",
    "CheckTxVersion",
    "CheckGenesis",
    "CheckMortality",
    "CheckNonce",
    "CheckWeight",
    "ChargeTransactionPayment",
)
"""The signed extensions our signed payload contains, in payload order (FRAME's names)."""


class _Described(Codec[Any]):
    """A type that exists only in the metadata (never encoded here), described by a function."""

    def __init__(
        self,
        path: tuple[str, ...],
        describe: Callable[[TypeIdAllocator], TypeDef],
        params: tuple[tuple[str, Codec[Any]], ...] = (),
    ) -> None:
        self.name = path[-1] if path else "()"
        self._path = path
        self._describe = describe
        self.params = params

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        return self._describe(registry)

    def type_path(self) -> tuple[str, ...]:
        return self._path


def _crate(module: RuntimeModule) -> str:
    return "frame_system" if module.index == 0 else f"pallet_{snake(module.name)}"


class _Builder:
    """Builds one metadata (one runtime, one preset)."""

    def __init__(self, runtime: Runtime, preset: Preset) -> None:
        self.preset = preset
        self.modules = runtime.present(preset)
        self.registry = TypeRegistry()
        indices = frozenset(module.index for module in self.modules)
        self.call_id = self.registry.id_of(CALL_CODEC.restricted_to(indices), aliases=(CALL_CODEC,))
        self.event_id = self.registry.id_of(
            EVENT_CODEC.restricted_to(indices), aliases=(EVENT_CODEC,)
        )
        self.call_families: set[int] = set()
        self.crates: dict[str, str] = {}
        for module in self.modules:
            package = _package_of(module)
            if package is not None:
                self.crates[package] = _crate(module)
        self.params: dict[int, list[dict[str, Any]]] = {}

    def id_of(self, annotation: Any) -> int:
        codec = annotation if isinstance(annotation, Codec) else codec_of(annotation)
        return self.registry.id_of(codec)

    def pallet_error(self, module: RuntimeModule) -> int | None:
        errors = module.errors
        if errors is None:
            return None
        docs = attribute_docs(errors)
        variants = [
            {
                "name": pascal(member.name),
                "fields": [],
                "index": member.error_index,
                "docs": [docs.get(member.name, "")],
            }
            for member in sorted(errors, key=lambda member: member.error_index)
        ]
        described = _Described(
            (_crate(module), "pallet", "Error"), lambda _: {"variant": {"variants": variants}}
        )
        return self.registry.id_of(described)

    def storage(self, module: RuntimeModule) -> md.PalletStorage | None:
        items = module.storage
        if not items:
            return None
        docs = attribute_docs(module.state) if module.state is not None else {}
        names = {id(value): name for name, value in vars(module.state).items()}
        entries = []
        for item in items:
            value_id = self.registry.id_of(item.value_codec)
            keys = item.keys()
            entry_type: md.StorageEntryType
            if not keys:
                entry_type = md.PlainEntry(value_id)
            else:
                codecs = [codec for _, codec in keys]
                key_codec = codecs[0] if len(codecs) == 1 else TupleCodec(tuple(codecs))
                hashers = [md.StorageHasherKind[hasher.name] for hasher, _ in keys]
                entry_type = md.MapEntry(hashers, self.registry.id_of(key_codec), value_id)
            text = docs.get(names.get(id(item), ""), "")
            text = text.removeprefix(f"{module.name}.{item.name}: ")
            modifier = (
                md.StorageEntryModifier.OPTIONAL
                if item.optional
                else md.StorageEntryModifier.DEFAULT
            )
            entries.append(
                md.StorageEntry(item.name, modifier, entry_type, item.default_bytes(), [text])
            )
        return md.PalletStorage(module.name, entries)

    def constants(self, module: RuntimeModule) -> list[md.PalletConstant]:
        return [
            md.PalletConstant(
                constant.name,
                self.id_of(constant.value_type),
                codec_of(constant.value_type).encode(constant.value_for(self.preset)),
                [constant.docs],
            )
            for constant in module.constants
        ]

    def pallet(self, module: RuntimeModule) -> md.PalletV15:
        calls = None
        if module.calls is not None:
            calls = self.id_of(module.calls)
            self.call_families.add(calls)
        event = None if module.events is None else self.id_of(module.events)
        return md.PalletV15(
            module.name,
            self.storage(module),
            calls,
            event,
            self.constants(module),
            self.pallet_error(module),
            module.index,
            _lines(module.docs),
        )

    def extrinsic(self) -> tuple[md.ExtrinsicV15, int]:
        unit = self.registry.id_of(TupleCodec(()))
        u32 = self.id_of(U32)
        hash_id = self.id_of(Hash)
        extension_fields: dict[str, tuple[list[dict[str, Any]], int]] = {
            "CheckNonZeroSender": ([], unit),
            "CheckSpecVersion": ([], u32),
            "CheckTxVersion": ([], u32),
            "CheckGenesis": ([], hash_id),
            "CheckMortality": ([self.field(EraCodec(), "Era")], hash_id),
            "CheckNonce": ([self.field(codec_of(CompactU32), "T::Nonce")], unit),
            "CheckWeight": ([], unit),
            "ChargeTransactionPayment": ([self.field(codec_of(Compact), "BalanceOf<T>")], unit),
        }
        extensions = []
        extension_ids = []
        for name in _SIGNED_EXTENSIONS:
            fields, additional = extension_fields[name]
            crate = "pallet_transaction_payment" if name.startswith("Charge") else "frame_system"
            path: tuple[str, ...] = (crate, "extensions", snake(name), name)
            if crate == "pallet_transaction_payment":
                path = (crate, name)
            type_id = self.registry.id_of(_Described(path, _composite(fields)))
            extension_ids.append(type_id)
            extensions.append(md.SignedExtension(name, type_id, additional))
        extra = self.registry.id_of(_Described((), lambda _: {"tuple": extension_ids}))
        address = self.id_of(MultiAddress)
        signature = self.id_of(MultiSignature)
        bytes_id = self.id_of(bytes)
        unchecked = self.registry.id_of(
            _Described(
                ("sp_runtime", "generic", "unchecked_extrinsic", "UncheckedExtrinsic"),
                lambda _: {"composite": {"fields": [{"type": bytes_id, "typeName": "Vec<u8>"}]}},
            )
        )
        self.params[unchecked] = [
            {"name": "Address", "type": address},
            {"name": "Call", "type": self.call_id},
            {"name": "Signature", "type": signature},
            {"name": "Extra", "type": extra},
        ]
        self.params[address] = [
            {"name": "AccountId", "type": self.id_of(AccountId)},
            {"name": "AccountIndex", "type": u32},
        ]
        self.params[self.id_of(EventRecord)] = [
            {"name": "E", "type": self.event_id},
            {"name": "T", "type": hash_id},
        ]
        self.registry.alias(_OPAQUE, unchecked)
        extrinsic = md.ExtrinsicV15(
            EXTRINSIC_VERSION, address, self.call_id, signature, extra, extensions
        )
        return extrinsic, unchecked

    def field(self, codec: Codec[Any], type_name: str) -> dict[str, Any]:
        return {"type": self.registry.id_of(codec), "typeName": type_name, "docs": []}

    def outer_error(self, pallets: list[md.PalletV15]) -> int:
        variants = [
            {
                "name": pallet.name,
                "fields": [{"type": pallet.error, "typeName": f"{pallet.name}Error", "docs": []}],
                "index": pallet.index,
                "docs": [],
            }
            for pallet in pallets
            if pallet.error is not None
        ]
        return self.registry.id_of(
            _Described(
                ("khala_runtime", "RuntimeError"), lambda _: {"variant": {"variants": variants}}
            )
        )

    def apis(self) -> list[md.RuntimeApi]:
        return [
            md.RuntimeApi(
                api.name,
                [
                    md.RuntimeApiMethod(
                        method.name,
                        [
                            md.RuntimeApiParam(name, self.id_of(kind))
                            for name, kind in method.inputs
                        ],
                        self.id_of(method.output),
                        [method.docs],
                    )
                    for method in api.methods
                ],
                [api.docs],
            )
            for api in RUNTIME_APIS
            if api.methods
        ]

    def types(self) -> list[md.PortableType]:
        return [self.portable(entry) for entry in self.registry.portable()]

    def portable(self, entry: dict[str, Any]) -> md.PortableType:
        type_id: int = entry["id"]
        raw = entry["type"]
        path = substrate_path(tuple(raw["path"]), self.crates)
        definition = portable_definition(raw["def"], path, is_call=type_id in self.call_families)
        params = self.params.get(type_id, raw["params"])
        return md.PortableType(
            type_id,
            md.Type(
                list(path),
                [md.TypeParameter(param["name"], param["type"]) for param in params],
                definition,
                list(raw["docs"]),
            ),
        )


_OPAQUE = codec_of(OpaqueExtrinsic)
"""The codec runtime APIs take extrinsics with; described as the ``UncheckedExtrinsic`` type."""


def _composite(fields: list[dict[str, Any]]) -> Callable[[TypeIdAllocator], TypeDef]:
    return lambda _: {"composite": {"fields": fields}}


def _lines(text: str) -> list[str]:
    return text.strip().splitlines() if text else []


def _package_of(module: RuntimeModule) -> str | None:
    family = module.calls or module.events
    if family is not None:
        parts = family.__module__.split(".")
        if parts[:3] == ["khala", "runtime", "modules"]:
            return parts[3]
    if module.state is not None:
        parts = module.state.__name__.split(".")
        if parts[:3] == ["khala", "runtime", "modules"]:
            return parts[3]
    return None


def build_metadata(runtime: Runtime, preset: Preset, version: int = 14) -> bytes:
    """Return ``RuntimeMetadataPrefixed`` of ``version`` (14 or 15) for a chain with ``preset``.

    Raises:
        ValueError: For a version not in :data:`SUPPORTED_VERSIONS` (callers check first).
    """
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"metadata version {version} is not supported")
    builder = _Builder(runtime, preset)
    pallets = [builder.pallet(module) for module in builder.modules]
    extrinsic, unchecked = builder.extrinsic()
    builder.id_of(Header)  # clients decode block headers and their digests through it
    runtime_type = builder.registry.id_of(
        _Described(("khala_runtime", "Runtime"), lambda _: {"composite": {"fields": []}})
    )
    error_type = builder.outer_error(pallets)
    apis = builder.apis()
    types = builder.types()
    magic = int.from_bytes(md.METADATA_MAGIC, "little")
    metadata: md.RuntimeMetadata
    if version == 14:
        metadata = md.V14(
            md.MetadataV14(
                types,
                [
                    md.PalletV14(p.name, p.storage, p.calls, p.event, p.constants, p.error, p.index)
                    for p in pallets
                ],
                md.ExtrinsicV14(unchecked, extrinsic.version, extrinsic.signed_extensions),
                runtime_type,
            )
        )
    else:
        metadata = md.V15(
            md.MetadataV15(
                types,
                pallets,
                extrinsic,
                runtime_type,
                apis,
                md.OuterEnums(builder.call_id, builder.event_id, error_type),
                [],
            )
        )
    return encode(md.RuntimeMetadataPrefixed(magic, metadata))
