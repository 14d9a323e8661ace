"""Types shared by every runtime module, laid out as FRAME lays them out."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, cast

from khala.primitives.scale import (
    H256,
    H512,
    U8,
    U32,
    U64,
    U128,
    CompactU32,
    CompactU64,
    Length,
    ScaleEnum,
    codec_of,
    variant,
)
from khala.primitives.scale.codec import FixedBytesCodec, NamedBytesCodec

ACCOUNT_ID_CODEC = NamedBytesCodec(
    cast(FixedBytesCodec, codec_of(H256)), ("sp_core", "crypto", "AccountId32")
)
"""The codec of account ids: 32 bytes, described in metadata as Substrate's ``AccountId32``."""
AccountId = Annotated[bytes, ACCOUNT_ID_CODEC]
"""An account: the 32-byte sr25519 public key (``AccountId32``)."""
Balance = U128
"""An amount of PHA in units of 10^-12 (u128)."""
BlockNumber = U32
"""A block height (u32)."""
Moment = U64
"""A timestamp in milliseconds since the Unix epoch (u64)."""
Hash = H256
"""A blake2-256 hash."""


class MultiAddress(ScaleEnum):
    """How an extrinsic names an account (``sp_runtime::MultiAddress``); we resolve ``Id``."""


@variant(0)
@dataclass(frozen=True, slots=True)
class AddressId(MultiAddress):
    """The account id itself."""

    account: AccountId
    """The 32-byte account id."""


@variant(1)
@dataclass(frozen=True, slots=True)
class AddressIndex(MultiAddress):
    """An account index (not supported by this runtime: lookups fail)."""

    index: CompactU32
    """The index."""


@variant(2)
@dataclass(frozen=True, slots=True)
class AddressRaw(MultiAddress):
    """Raw bytes (not supported: lookups fail)."""

    raw: bytes
    """The bytes."""


@variant(3)
@dataclass(frozen=True, slots=True)
class Address32(MultiAddress):
    """A 32-byte address, resolved like an account id."""

    account: AccountId
    """The 32 bytes."""


@variant(4)
@dataclass(frozen=True, slots=True)
class Address20(MultiAddress):
    """A 20-byte (Ethereum-style) address (not supported: lookups fail)."""

    address: Annotated[bytes, Length(20)]
    """The 20 bytes."""


class MultiSignature(ScaleEnum):
    """A signature of any supported scheme (``sp_runtime::MultiSignature``)."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Ed25519Signature(MultiSignature):
    """An ed25519 signature."""

    signature: H512
    """64 bytes."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Sr25519Signature(MultiSignature):
    """An sr25519 signature."""

    signature: H512
    """64 bytes."""


@variant(2)
@dataclass(frozen=True, slots=True)
class EcdsaSignature(MultiSignature):
    """An ECDSA signature (decoded for compatibility; never valid here)."""

    signature: Annotated[bytes, Length(65)]
    """65 bytes."""


@dataclass(frozen=True, slots=True)
class Weight:
    """Execution cost (``sp_weights::Weight``): time in picoseconds and proof size in bytes."""

    ref_time: CompactU64
    """Computation time, picoseconds of reference hardware."""
    proof_size: CompactU64
    """Storage proof size in bytes (unused here, kept for compatibility)."""


class DispatchClass(enum.IntEnum):
    """The class of a dispatch, for block limits and fees."""

    NORMAL = 0
    """Ordinary user transactions."""
    OPERATIONAL = 1
    """Operational transactions with reserved block space."""
    MANDATORY = 2
    """Inherents that must be in every block."""


class Pays(enum.IntEnum):
    """Whether the sender pays a fee."""

    YES = 0
    """The fee is charged."""
    NO = 1
    """The dispatch is free."""


@dataclass(frozen=True, slots=True)
class DispatchInfo:
    """What ExtrinsicSuccess/ExtrinsicFailed report about a dispatch."""

    weight: Weight
    """Its weight."""
    dispatch_class: DispatchClass
    """Its class."""
    pays_fee: Pays
    """Whether a fee was charged."""


class Phase(ScaleEnum):
    """When in the block an event happened (``frame_system::Phase``)."""


@variant(0)
@dataclass(frozen=True, slots=True)
class ApplyExtrinsic(Phase):
    """While applying the extrinsic at ``index``."""

    index: U32
    """The extrinsic's position in the block."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Finalization(Phase):
    """During block finalization (``on_finalize``)."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Initialization(Phase):
    """During block initialization (``on_initialize``)."""


@dataclass(frozen=True, slots=True)
class ModuleError:
    """A module's error: its module index and the error's index in the first byte."""

    index: U8
    """The module index."""
    error: Annotated[bytes, Length(4)]
    """The error index followed by three zero bytes (FRAME's encoding)."""


class DispatchErrorRecord(ScaleEnum):
    """Why a dispatch failed, as FRAME encodes it in ``ExtrinsicFailed`` (``DispatchError``)."""


@variant(0)
@dataclass(frozen=True, slots=True)
class OtherError(DispatchErrorRecord):
    """An error without a module (FRAME drops its message when encoding)."""


@variant(1)
@dataclass(frozen=True, slots=True)
class CannotLookupError(DispatchErrorRecord):
    """An address could not be resolved to an account."""


@variant(2)
@dataclass(frozen=True, slots=True)
class BadOriginError(DispatchErrorRecord):
    """The call's origin was not allowed."""


@variant(3)
@dataclass(frozen=True, slots=True)
class ModuleDispatchError(DispatchErrorRecord):
    """An error raised by a module."""

    error: ModuleError
    """Which module and which of its errors."""
