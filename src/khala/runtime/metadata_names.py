"""Substrate's names for khala's types in the metadata.

The SCALE declarations name types after their Python modules and classes; tools recognise
Substrate's paths (``sp_runtime::DispatchError``), variant names (``Module``, ``Id``), tuple
variants and snake_case call names. This module maps the portable registry onto them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from khala.primitives.scale.base import TypeDef
from khala.runtime import metadata_types as md

_CORE_PATHS: dict[str, tuple[str, ...]] = {
    "khala.primitives.types.Header": ("sp_runtime", "generic", "header", "Header"),
    "khala.primitives.types.DigestItem": ("sp_runtime", "generic", "digest", "DigestItem"),
    "khala.runtime.types.MultiAddress": ("sp_runtime", "multiaddress", "MultiAddress"),
    "khala.runtime.types.MultiSignature": ("sp_runtime", "MultiSignature"),
    "khala.runtime.types.Weight": ("sp_weights", "weight_v2", "Weight"),
    "khala.runtime.types.DispatchClass": ("frame_support", "dispatch", "DispatchClass"),
    "khala.runtime.types.Pays": ("frame_support", "dispatch", "Pays"),
    "khala.runtime.types.DispatchInfo": ("frame_support", "dispatch", "DispatchInfo"),
    "khala.runtime.types.Phase": ("frame_system", "Phase"),
    "khala.runtime.types.ModuleError": ("sp_runtime", "ModuleError"),
    "khala.runtime.types.DispatchErrorRecord": ("sp_runtime", "DispatchError"),
    "khala.runtime.events.EventRecord": ("frame_system", "EventRecord"),
    "khala.runtime.modules.system.state.AccountInfo": ("frame_system", "AccountInfo"),
    "khala.runtime.modules.system.state.AccountData": ("pallet_balances", "types", "AccountData"),
    "khala.runtime.apis.RuntimeVersion": ("sp_version", "RuntimeVersion"),
    "khala.runtime.apis.RuntimeDispatchInfo": (
        "pallet_transaction_payment",
        "types",
        "RuntimeDispatchInfo",
    ),
    "khala.runtime.apis.FeeDetails": ("pallet_transaction_payment", "types", "FeeDetails"),
    "khala.runtime.apis.InclusionFee": ("pallet_transaction_payment", "types", "InclusionFee"),
}
"""Paths of shared types, renamed to the Substrate types they are laid out as."""

_VARIANT_NAMES: dict[tuple[str, ...], dict[str, str]] = {
    ("sp_runtime", "multiaddress", "MultiAddress"): {
        "AddressId": "Id",
        "AddressIndex": "Index",
        "AddressRaw": "Raw",
    },
    ("sp_runtime", "MultiSignature"): {
        "Ed25519Signature": "Ed25519",
        "Sr25519Signature": "Sr25519",
        "EcdsaSignature": "Ecdsa",
    },
    ("sp_runtime", "generic", "digest", "DigestItem"): {
        "OtherDigest": "Other",
        "ConsensusDigest": "Consensus",
        "SealDigest": "Seal",
        "PreRuntimeDigest": "PreRuntime",
    },
    ("sp_runtime", "DispatchError"): {
        "OtherError": "Other",
        "CannotLookupError": "CannotLookup",
        "BadOriginError": "BadOrigin",
        "ModuleDispatchError": "Module",
    },
}
"""Variant names Substrate gives these enums (clients match ``Module``, ``Id``...)."""

_TUPLE_VARIANTS = {
    ("sp_runtime", "multiaddress", "MultiAddress"),
    ("sp_runtime", "MultiSignature"),
    ("sp_runtime", "DispatchError"),
    ("frame_system", "Phase"),
    ("sp_runtime", "generic", "digest", "DigestItem"),
}
"""Enums whose variants carry unnamed fields in Substrate (``Id(AccountId)``): names dropped."""

_FIELD_NAMES = {"dispatch_class": "class"}
"""Field names Substrate spells differently (``class`` is a Python keyword)."""


def snake(name: str) -> str:
    """``TransferKeepAlive`` -> ``transfer_keep_alive`` (Substrate's call names)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def pascal(name: str) -> str:
    """``INSUFFICIENT_BALANCE`` -> ``InsufficientBalance`` (Substrate's error names)."""
    return "".join(part.capitalize() for part in name.lower().split("_"))


def metadata_field(field: dict[str, Any]) -> md.Field:
    """A registry field in metadata form (Substrate's field names)."""
    name = field.get("name")
    return md.Field(
        _FIELD_NAMES.get(name, name) if name is not None else None,
        field["type"],
        field.get("typeName"),
        list(field.get("docs", [])),
    )


def substrate_path(path: tuple[str, ...], crates: dict[str, str]) -> tuple[str, ...]:
    """The Substrate path of a declared type's path (``pallet_balances::pallet::Call``...).

    ``crates`` maps module package names to their crate names.
    """
    dotted = ".".join(path)
    if dotted in _CORE_PATHS:
        return _CORE_PATHS[dotted]
    if path[:3] == ("khala", "runtime", "modules") and len(path) == 6:
        crate = crates.get(path[3], f"pallet_{path[3]}")
        if path[5] in {"Call", "Event"}:
            return (crate, "pallet", path[5])
        return (crate, path[4], path[5])
    return path


def portable_definition(raw: TypeDef, path: tuple[str, ...], *, is_call: bool) -> md.TypeDef:
    """A registry definition in metadata form, with Substrate's variant and field names."""
    if "composite" in raw:
        return md.Composite([metadata_field(field) for field in raw["composite"]["fields"]])
    if "variant" in raw:
        renames = _VARIANT_NAMES.get(path, {})
        variants = []
        for item in raw["variant"]["variants"]:
            name = renames.get(item["name"], item["name"])
            if is_call:
                name = snake(name)
            elif name.isupper() and path and path[0] not in {"Option", "Result"}:
                name = pascal(name)
            fields = [metadata_field(field) for field in item["fields"]]
            if path in _TUPLE_VARIANTS:
                fields = [replace(field, name=None) for field in fields]
            variants.append(md.Variant(name, fields, item["index"], list(item["docs"])))
        return md.VariantDef(variants)
    if "sequence" in raw:
        return md.Sequence(raw["sequence"]["type"])
    if "array" in raw:
        return md.Array(raw["array"]["len"], raw["array"]["type"])
    if "tuple" in raw:
        return md.Tuple(list(raw["tuple"]))
    if "compact" in raw:
        return md.CompactDef(raw["compact"]["type"])
    return md.PrimitiveDef(md.Primitive[raw["primitive"].upper()])
