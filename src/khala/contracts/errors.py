"""Errors of the contract host and the ink! ABI codec.

A contract execution either returns (possibly with the revert flag, which is not an error) or
fails with one :class:`ContractError`. The codes follow ``pallet-contracts``' dispatch errors
where one exists (``OutOfGas``, ``ContractTrapped``, ``StorageDepositLimitExhausted``...), so a
user who knows Substrate's contracts recognises them; every failure rolls back the frame it
happened in.
"""

from __future__ import annotations

from enum import StrEnum

from khala.errors import KhalaError


class ContractErrorCode(StrEnum):
    """Codes of :class:`ContractError`."""

    INVALID_CODE = "contracts.invalid_code"
    """The wasm does not compile, or imports or exports what an ink! contract may not."""
    CODE_TOO_LARGE = "contracts.code_too_large"
    """The wasm is larger than the cluster's code size cap."""
    CODE_NOT_FOUND = "contracts.code_not_found"
    """No code with this hash was uploaded to the cluster."""
    CONTRACT_NOT_FOUND = "contracts.contract_not_found"
    """No contract lives at this address."""
    DUPLICATE_CONTRACT = "contracts.duplicate_contract"
    """A contract already lives at the address this deployer, code, cluster and salt give."""
    OUT_OF_GAS = "contracts.out_of_gas"
    """The execution used up its gas limit (wasm fuel plus host function costs)."""
    DEADLINE = "contracts.deadline"
    """A query ran past its wall-clock deadline and was interrupted."""
    REVERTED = "contracts.reverted"
    """A constructor returned with the revert flag: nothing was created (its output says why)."""
    GAS_FEE_NOT_COVERED = "contracts.gas_fee_not_covered"
    """The sender's cluster balance cannot cover gas limit × gas price; transfer to the cluster."""
    TRAPPED = "contracts.trapped"
    """The contract trapped (``unreachable``, a bad memory access, a panic...)."""
    STORAGE_DEPOSIT_LIMIT = "contracts.storage_deposit_limit"
    """The storage the execution added needs a deposit above its storage deposit limit."""
    STORAGE_DEPOSIT_NOT_ENOUGH_FUNDS = "contracts.storage_deposit_not_enough_funds"
    """The payer's cluster balance cannot cover the storage deposit the execution needs."""
    TRANSFER_FAILED = "contracts.transfer_failed"
    """The value sent with a call or instantiation exceeds the sender's cluster balance."""
    OUTPUT_BUFFER_TOO_SMALL = "contracts.output_buffer_too_small"
    """The contract gave the host a buffer shorter than the data it asked for."""
    OUT_OF_BOUNDS = "contracts.out_of_bounds"
    """The contract pointed the host at memory outside its linear memory."""
    INPUT_FORWARDED = "contracts.input_forwarded"
    """The contract read its input twice, or after forwarding it to a callee."""
    DECODING_FAILED = "contracts.decoding_failed"
    """A value the contract passed to the host (an account, a balance, topics) did not decode."""
    KEY_TOO_LONG = "contracts.key_too_long"
    """A storage key is longer than the 128 bytes ``pallet-contracts`` allows."""
    VALUE_TOO_LARGE = "contracts.value_too_large"
    """A storage value, event or returned buffer is larger than the host's payload limit."""
    TOO_MANY_TOPICS = "contracts.too_many_topics"
    """An event has more topics than the host's limit (4, as ink!'s default environment)."""
    INVALID_CALL_FLAGS = "contracts.invalid_call_flags"
    """Unknown bits in the flags of ``seal_return`` or ``call``."""
    REENTRANCE_DENIED = "contracts.reentrance_denied"
    """A contract called itself (directly or through others) without ``ALLOW_REENTRY``."""
    MAX_CALL_DEPTH = "contracts.max_call_depth"
    """Nested calls and instantiations went deeper than the call stack limit."""
    TERMINATED_IN_CONSTRUCTOR = "contracts.terminated_in_constructor"
    """A contract called ``terminate`` while it was being constructed."""
    TERMINATED_WHILE_REENTRANT = "contracts.terminated_while_reentrant"
    """A contract called ``terminate`` while it has another frame on the call stack."""
    NO_CHAIN_EXTENSION = "contracts.no_chain_extension"
    """The contract called a chain extension id or function that does not exist."""
    STATE_CHANGE_DENIED = "contracts.state_change_denied"
    """A read-only call (a query) tried to write storage, emit an event or move value."""


class ContractError(KhalaError):
    """A contract could not be stored, instantiated or executed."""


class AbiErrorCode(StrEnum):
    """Codes of :class:`AbiError`."""

    UNSUPPORTED_METADATA = "abi.unsupported_metadata"
    """The metadata is not ink! v4 or v5 JSON as ``cargo-contract`` writes it."""
    UNKNOWN_TYPE = "abi.unknown_type"
    """A type id is not in the metadata's type registry."""
    UNSUPPORTED_TYPE = "abi.unsupported_type"
    """The type cannot be encoded here (a bit sequence, a compact of a non-integer)."""
    INVALID_VALUE = "abi.invalid_value"
    """A Python value does not fit the SCALE type it is encoded as."""
    UNKNOWN_MESSAGE = "abi.unknown_message"
    """The contract has no message or constructor of this name or selector."""
    WRONG_ARGUMENTS = "abi.wrong_arguments"
    """A message or constructor was given missing, extra or misnamed arguments."""
    UNKNOWN_EVENT = "abi.unknown_event"
    """Event bytes match no event of the contract's metadata."""
    DECODE_FAILED = "abi.decode_failed"
    """Bytes do not decode as the metadata's type (short, trailing bytes, bad variant)."""


class AbiError(KhalaError):
    """A value could not be encoded or decoded by a contract's ink! metadata."""
