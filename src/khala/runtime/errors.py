"""Runtime exceptions: dispatch failures (typed per module) and invalid transactions.

A call raises :class:`DispatchError`; the executive rolls the call back, keeps the fee and
nonce, and records ``ExtrinsicFailed`` with the module index and the error's index (its
declared index (:class:`ModuleErrorCode`, never its position, so reordering members cannot
change consensus data). A transaction that must not enter a block at all (bad
signature, stale nonce, unpayable fee...) raises :class:`InvalidTransactionError` before anything
is written.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from khala.errors import KhalaError
from khala.runtime.types import (
    BadOriginError,
    CannotLookupError,
    DispatchErrorRecord,
    ModuleDispatchError,
    ModuleError,
    OtherError,
)


class DispatchErrorCode(StrEnum):
    """Dispatch errors that belong to no module."""

    BAD_ORIGIN = "dispatch.bad_origin"
    """The origin may not make this call (e.g. a signed account calling a root-only call)."""
    CANNOT_LOOKUP = "dispatch.cannot_lookup"
    """An address form this runtime does not resolve (only account ids and 32-byte addresses)."""
    OTHER = "dispatch.other"
    """Any other failure outside a module."""


class ModuleErrorCode(StrEnum):
    """A module's dispatch error codes, each with a declared, stable on-chain index.

    Members are declared as ``NAME = "module.code", index``: the string is the documented code
    (what the SDK, CLI and docs show), the index is what ``ExtrinsicFailed`` carries in
    ``ModuleError.error[0]``. Indices are published consensus data: never change or reuse one.
    """

    error_index: int
    """The error's on-chain index inside its module (0..255)."""

    def __new__(cls, code: str, index: int) -> Self:
        """Create a member from its code and its declared index."""
        member = str.__new__(cls, code)
        member._value_ = code
        member.error_index = index
        return member


class DispatchError(KhalaError):
    """A call failed; its writes are rolled back but its fee and nonce stay charged.

    Attributes:
        module_index: The raising module's index, or None for :class:`DispatchErrorCode`s.
    """

    module_index: int | None

    def __init__(self, code: StrEnum, message: str, *, module_index: int | None = None) -> None:
        """Create the error; module errors pass their module's index."""
        super().__init__(code, message)
        self.module_index = module_index

    def record(self) -> DispatchErrorRecord:
        """Return the SCALE form stored in the ``ExtrinsicFailed`` event."""
        if self.module_index is not None and isinstance(self.code, ModuleErrorCode):
            return ModuleDispatchError(
                ModuleError(self.module_index, bytes((self.code.error_index, 0, 0, 0)))
            )
        if self.code is DispatchErrorCode.BAD_ORIGIN:
            return BadOriginError()
        if self.code is DispatchErrorCode.CANNOT_LOOKUP:
            return CannotLookupError()
        return OtherError()


class InvalidTransactionCode(StrEnum):
    """Why a transaction is refused before execution (``TransactionValidityError``)."""

    CALL = "invalid_transaction.call"
    """The call cannot be decoded or does not exist in this runtime."""
    PAYMENT = "invalid_transaction.payment"
    """The sender cannot pay the fee and tip while keeping the existential deposit."""
    FUTURE = "invalid_transaction.future"
    """The nonce is ahead of the account's nonce; it may become valid later."""
    STALE = "invalid_transaction.stale"
    """The nonce was already used."""
    BAD_PROOF = "invalid_transaction.bad_proof"
    """The signature does not verify over the signed payload (wrong key, genesis or era)."""
    ANCIENT_BIRTH_BLOCK = "invalid_transaction.ancient_birth_block"
    """The mortal era started at a block this chain does not know."""
    EXHAUSTS_RESOURCES = "invalid_transaction.exhausts_resources"
    """The transaction would exceed the block's length or weight limit."""
    BAD_MANDATORY = "invalid_transaction.bad_mandatory"
    """A mandatory inherent failed."""
    MANDATORY_VALIDATION = "invalid_transaction.mandatory_validation"
    """An inherent was submitted as a signed or pool transaction."""
    BAD_SIGNER = "invalid_transaction.bad_signer"
    """The signer address cannot be resolved to an account."""
    UNSIGNED = "invalid_transaction.unsigned"
    """An unsigned extrinsic that is not an inherent (no unsigned validator accepts it)."""
    BAD_FORMAT = "invalid_transaction.bad_format"
    """The bytes are not a version-4 extrinsic."""


class InvalidTransactionError(KhalaError):
    """A transaction that must not be included; nothing was written."""
