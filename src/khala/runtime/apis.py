"""Runtime APIs: what ``state_call`` answers, with Substrate's API names, ids and versions.

A client calls ``state_call("<Api>_<method>", SCALE(inputs))`` and decodes the SCALE result;
the runtime version lists each API as ``(blake2b-64(name), version)`` so clients know which
calls exist. The result types below are FRAME's layouts. :data:`RUNTIME_APIS` declares every
method once (inputs and output as SCALE annotations): the node decodes inputs and encodes
results from it, and the V15 metadata describes it. BlockBuilder is listed in the version (the
node builds blocks) but is not callable through ``state_call``.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

from khala.primitives.scale import U8, U32, U64, Err, Length, Ok, ScaleEnum, variant
from khala.runtime.block import OpaqueExtrinsic
from khala.runtime.errors import InvalidTransactionCode
from khala.runtime.types import AccountId, Balance, DispatchClass, Hash, Weight

API_ID_BYTES = 8
"""Runtime API ids are blake2b with an 8-byte digest of the trait name (``sp_api``)."""

ApiId = Annotated[bytes, Length(API_ID_BYTES)]
"""An 8-byte runtime API id."""
OpaqueMetadata = bytes
"""SCALE-encoded metadata wrapped as ``Vec<u8>`` (``sp_core::OpaqueMetadata``)."""


def api_id(name: str) -> bytes:
    """Return the id of a runtime API trait, e.g. ``Core`` -> ``0xdf6acb689907609b``."""
    return hashlib.blake2b(name.encode(), digest_size=API_ID_BYTES).digest()


@dataclass(frozen=True, slots=True)
class RuntimeVersion:
    """``sp_version::RuntimeVersion``, what ``Core_version`` returns."""

    spec_name: str
    """Identifies the state machine."""
    impl_name: str
    """Identifies this implementation."""
    authoring_version: U32
    """Authoring interface version."""
    spec_version: U32
    """State transition version (signed into transactions)."""
    impl_version: U32
    """Implementation version."""
    apis: list[tuple[ApiId, U32]]
    """Runtime APIs: ``(id, version)``."""
    transaction_version: U32
    """Extrinsic encoding version (signed into transactions)."""
    state_version: U8
    """Trie layout version."""


@dataclass(frozen=True, slots=True)
class RuntimeDispatchInfo:
    """``pallet_transaction_payment::RuntimeDispatchInfo``: ``query_info``'s answer."""

    weight: Weight
    """The call's weight."""
    dispatch_class: DispatchClass
    """Its class."""
    partial_fee: Balance
    """The fee without the tip."""


@dataclass(frozen=True, slots=True)
class InclusionFee:
    """``pallet_transaction_payment::InclusionFee``: the parts of the fee."""

    base_fee: Balance
    """The per-extrinsic base fee."""
    len_fee: Balance
    """The length fee."""
    adjusted_weight_fee: Balance
    """The weight fee (no fee multiplier on this chain)."""


@dataclass(frozen=True, slots=True)
class FeeDetails:
    """``pallet_transaction_payment::FeeDetails``: ``query_fee_details``' answer."""

    inclusion_fee: InclusionFee | None
    """None for calls that pay no fee."""
    tip: Balance
    """The tip (always 0: the query prices the call, not the tip)."""


class TransactionSource(enum.IntEnum):
    """Where a transaction came from (``TransactionSource``)."""

    IN_BLOCK = 0
    """Already in a block."""
    LOCAL = 1
    """Submitted by the node's own user."""
    EXTERNAL = 2
    """Received from outside."""


@dataclass(frozen=True, slots=True)
class ValidTransaction:
    """``sp_runtime::transaction_validity::ValidTransaction``."""

    priority: U64
    """Higher is included first (the tip)."""
    requires: list[bytes]
    """Tags that must be provided first (the sender's previous nonce)."""
    provides: list[bytes]
    """Tags this transaction provides (sender and nonce)."""
    longevity: U64
    """Blocks it stays valid."""
    propagate: bool
    """Whether it may be gossiped."""


class InvalidTransaction(ScaleEnum):
    """``sp_runtime::transaction_validity::InvalidTransaction``."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Call(InvalidTransaction):
    """The call is unknown or cannot be decoded."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Payment(InvalidTransaction):
    """The fee cannot be paid."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Future(InvalidTransaction):
    """The nonce is ahead."""


@variant(3)
@dataclass(frozen=True, slots=True)
class Stale(InvalidTransaction):
    """The nonce was used."""


@variant(4)
@dataclass(frozen=True, slots=True)
class BadProof(InvalidTransaction):
    """The signature does not verify."""


@variant(5)
@dataclass(frozen=True, slots=True)
class AncientBirthBlock(InvalidTransaction):
    """The era's birth block is unknown."""


@variant(6)
@dataclass(frozen=True, slots=True)
class ExhaustsResources(InvalidTransaction):
    """Too large for a block."""


@variant(8)
@dataclass(frozen=True, slots=True)
class BadMandatory(InvalidTransaction):
    """A mandatory dispatch failed."""


@variant(9)
@dataclass(frozen=True, slots=True)
class MandatoryValidation(InvalidTransaction):
    """An inherent was submitted as a transaction."""


@variant(10)
@dataclass(frozen=True, slots=True)
class BadSigner(InvalidTransaction):
    """The signer cannot be resolved."""


class TransactionValidityError(ScaleEnum):
    """``sp_runtime::transaction_validity::TransactionValidityError``."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Invalid(TransactionValidityError):  # noqa: N818 - sp_runtime's variant name
    """The transaction is invalid."""

    reason: InvalidTransaction
    """Why."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Unknown(TransactionValidityError):  # noqa: N818 - sp_runtime's variant name
    """Validity cannot be decided (an unsigned transaction no validator accepts)."""

    reason: U8
    """``UnknownTransaction``: 1 = no unsigned validator."""


TransactionValidity = Ok[ValidTransaction] | Err[TransactionValidityError]
"""``validate_transaction``'s answer."""

_INVALID: dict[InvalidTransactionCode, TransactionValidityError] = {
    InvalidTransactionCode.CALL: Invalid(Call()),
    InvalidTransactionCode.BAD_FORMAT: Invalid(Call()),
    InvalidTransactionCode.PAYMENT: Invalid(Payment()),
    InvalidTransactionCode.FUTURE: Invalid(Future()),
    InvalidTransactionCode.STALE: Invalid(Stale()),
    InvalidTransactionCode.BAD_PROOF: Invalid(BadProof()),
    InvalidTransactionCode.ANCIENT_BIRTH_BLOCK: Invalid(AncientBirthBlock()),
    InvalidTransactionCode.EXHAUSTS_RESOURCES: Invalid(ExhaustsResources()),
    InvalidTransactionCode.BAD_MANDATORY: Invalid(BadMandatory()),
    InvalidTransactionCode.MANDATORY_VALIDATION: Invalid(MandatoryValidation()),
    InvalidTransactionCode.BAD_SIGNER: Invalid(BadSigner()),
    InvalidTransactionCode.UNSIGNED: Unknown(1),
}


def validity_error(code: InvalidTransactionCode) -> TransactionValidityError:
    """Return FRAME's encoding of a refusal code."""
    return _INVALID[code]


@dataclass(frozen=True, slots=True)
class ApiMethod:
    """One runtime API method."""

    name: str
    """snake_case name; ``state_call`` uses ``<Api>_<name>``."""
    inputs: tuple[tuple[str, Any], ...]
    """Each input's name and SCALE annotation, concatenated in the call data."""
    output: Any
    """The result's SCALE annotation."""
    docs: str
    """What it answers."""


@dataclass(frozen=True, slots=True)
class Api:
    """A runtime API trait."""

    name: str
    """Its name (``Core``)."""
    version: int
    """The version clients see in the runtime version."""
    methods: tuple[ApiMethod, ...]
    """The methods ``state_call`` serves."""
    docs: str
    """What it is for."""

    @property
    def id(self) -> bytes:
        """The 8-byte id."""
        return api_id(self.name)


Extrinsic = OpaqueExtrinsic
"""An encoded extrinsic passed as data, with its length prefix."""

RUNTIME_APIS: tuple[Api, ...] = (
    Api(
        "Core",
        4,
        (ApiMethod("version", (), RuntimeVersion, "The runtime version."),),
        "The runtime's version.",
    ),
    Api(
        "Metadata",
        2,
        (
            ApiMethod("metadata", (), OpaqueMetadata, "Metadata V14, SCALE-encoded."),
            ApiMethod(
                "metadata_at_version",
                (("version", U32),),
                OpaqueMetadata | None,
                "Metadata of the given version (14 or 15), or None.",
            ),
            ApiMethod("metadata_versions", (), list[U32], "The metadata versions served."),
        ),
        "The runtime metadata.",
    ),
    Api("BlockBuilder", 6, (), "Building blocks (done by the node, not served by state_call)."),
    Api(
        "TaggedTransactionQueue",
        3,
        (
            ApiMethod(
                "validate_transaction",
                (("source", TransactionSource), ("tx", Extrinsic), ("block_hash", Hash)),
                TransactionValidity,
                "Whether the pool would accept a transaction on top of the block.",
            ),
        ),
        "Transaction pool validation.",
    ),
    Api(
        "AccountNonceApi",
        1,
        (ApiMethod("account_nonce", (("account", AccountId),), U32, "An account's nonce."),),
        "Account nonces.",
    ),
    Api(
        "TransactionPaymentApi",
        4,
        (
            ApiMethod(
                "query_info",
                (("uxt", Extrinsic), ("len", U32)),
                RuntimeDispatchInfo,
                "The weight, class and fee of an extrinsic.",
            ),
            ApiMethod(
                "query_fee_details",
                (("uxt", Extrinsic), ("len", U32)),
                FeeDetails,
                "The parts of an extrinsic's fee.",
            ),
        ),
        "Fees.",
    ),
)
"""Every runtime API, with the versions of Substrate's that our answers match."""


def api_versions() -> list[tuple[bytes, int]]:
    """``RuntimeVersion.apis``: each API's id and version."""
    return [(api.id, api.version) for api in RUNTIME_APIS]


def find_method(name: str) -> ApiMethod | None:
    """Return the method ``state_call`` names ``<Api>_<method>``, if it exists."""
    for api in RUNTIME_APIS:
        for method in api.methods:
            if f"{api.name}_{method.name}" == name:
                return method
    return None
