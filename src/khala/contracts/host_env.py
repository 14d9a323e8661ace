"""Host functions for input, output, the environment, events, debugging and hashing.

Each function charges the schedule's base cost plus its per-byte costs before it does the
work, reads its arguments from the calling frame's memory with bounds checks, and writes
results with ``pallet-contracts``' output convention (see :class:`~khala.contracts.frame.Frame`).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.execution import Return
from khala.contracts.frame import ContractEvent
from khala.contracts.host import host_fn
from khala.contracts.host_table import REVERT_FLAG, ReturnCode
from khala.primitives.crypto.keys import KeyScheme, verify
from khala.primitives.hashing import blake2_128, blake2_256, keccak_256
from khala.primitives.scale.compact import decode_compact, encode_compact

if TYPE_CHECKING:
    from khala.contracts.execution import Execution

_U128 = 16
_ACCOUNT = 32


def _base(ex: Execution, nbytes: int = 0) -> None:
    costs = ex.schedule.costs
    ex.charge(costs.base + costs.per_byte * nbytes)


@host_fn("seal0", "input")
def input_(ex: Execution, out_ptr: int, out_len_ptr: int) -> None:
    """Copy the call data into the contract's buffer (once)."""
    frame = ex.frames[-1]
    data = frame.take_input()
    _base(ex, len(data))
    frame.write_output(out_ptr, out_len_ptr, data, allow_skip=False)


@host_fn("seal0", "seal_return")
def seal_return(ex: Execution, flags: int, data_ptr: int, data_len: int) -> None:
    """End the frame with output; the revert flag rolls its changes back."""
    flags &= 0xFFFF_FFFF
    if flags & ~REVERT_FLAG:
        raise ContractError(ContractErrorCode.INVALID_CALL_FLAGS, f"seal_return flags {flags:#x}")
    _check_payload(ex, data_len & 0xFFFF_FFFF, "returned data")
    _base(ex, data_len & 0xFFFF_FFFF)
    raise Return(flags, ex.frames[-1].read(data_ptr, data_len))


def _output(ex: Execution, out_ptr: int, out_len_ptr: int, data: bytes) -> None:
    _base(ex, len(data))
    ex.frames[-1].write_output(out_ptr, out_len_ptr, data, allow_skip=False)


@host_fn("seal0", "caller")
def caller(ex: Execution, out_ptr: int, out_len_ptr: int) -> None:
    """Write the caller's account."""
    _output(ex, out_ptr, out_len_ptr, ex.frames[-1].caller)


@host_fn("seal0", "caller_is_origin")
def caller_is_origin(ex: Execution) -> int:
    """Whether the origin called this frame directly."""
    _base(ex)
    return int(len(ex.frames) == 1)


@host_fn("seal0", "address")
def address(ex: Execution, out_ptr: int, out_len_ptr: int) -> None:
    """Write the executing contract's address."""
    _output(ex, out_ptr, out_len_ptr, ex.frames[-1].account)


@host_fn("seal0", "balance")
def balance(ex: Execution, out_ptr: int, out_len_ptr: int) -> None:
    """Write the contract's balance (u128)."""
    frame = ex.frames[-1]
    _output(ex, out_ptr, out_len_ptr, frame.world.balance(frame.account).to_bytes(_U128, "little"))


@host_fn("seal0", "value_transferred")
def value_transferred(ex: Execution, out_ptr: int, out_len_ptr: int) -> None:
    """Write the value sent with this call (u128)."""
    _output(ex, out_ptr, out_len_ptr, ex.frames[-1].value.to_bytes(_U128, "little"))


@host_fn("seal0", "minimum_balance")
def minimum_balance(ex: Execution, out_ptr: int, out_len_ptr: int) -> None:
    """Write the existential deposit: 0, clusters keep no dust rule."""
    _output(ex, out_ptr, out_len_ptr, bytes(_U128))


@host_fn("seal0", "block_number")
def block_number(ex: Execution, out_ptr: int, out_len_ptr: int) -> None:
    """Write the block number (u32)."""
    _output(ex, out_ptr, out_len_ptr, ex.env.block_number.to_bytes(4, "little"))


@host_fn("seal0", "now")
def now(ex: Execution, out_ptr: int, out_len_ptr: int) -> None:
    """Write the block's timestamp in milliseconds (u64)."""
    _output(ex, out_ptr, out_len_ptr, ex.env.now_ms.to_bytes(8, "little"))


@host_fn("seal0", "gas_left")
def gas_left(ex: Execution, out_ptr: int, out_len_ptr: int) -> None:
    """Write the gas left (u64)."""
    _base(ex)
    _output(ex, out_ptr, out_len_ptr, ex.gas_left().to_bytes(8, "little"))


@host_fn("seal1", "gas_left")
def gas_left_weight(ex: Execution, out_ptr: int, out_len_ptr: int) -> None:
    """Write the gas left as a ``Weight`` (compact ref time, compact proof size 0)."""
    _base(ex)
    out = bytearray()
    encode_compact(ex.gas_left(), out)
    encode_compact(0, out)
    _output(ex, out_ptr, out_len_ptr, bytes(out))


@host_fn("seal0", "own_code_hash")
def own_code_hash(ex: Execution, out_ptr: int, out_len_ptr: int) -> None:
    """Write the executing code's hash."""
    frame = ex.frames[-1]
    info = frame.world.contract(frame.account)
    _output(ex, out_ptr, out_len_ptr, frame.code_hash if info is None else info.code_hash)


@host_fn("seal0", "code_hash")
def code_hash(ex: Execution, account_ptr: int, out_ptr: int, out_len_ptr: int) -> int:
    """Write the code hash of a contract, or return ``KeyNotFound``."""
    frame = ex.frames[-1]
    _base(ex, _ACCOUNT)
    info = frame.world.contract(frame.read(account_ptr, _ACCOUNT))
    if info is None:
        return ReturnCode.KEY_NOT_FOUND
    _output(ex, out_ptr, out_len_ptr, info.code_hash)
    return ReturnCode.SUCCESS


@host_fn("seal0", "is_contract")
def is_contract(ex: Execution, account_ptr: int) -> int:
    """1 when the account is a contract."""
    frame = ex.frames[-1]
    _base(ex, _ACCOUNT)
    return int(frame.world.contract(frame.read(account_ptr, _ACCOUNT)) is not None)


@host_fn("seal0", "reentrance_count")
def reentrance_count(ex: Execution) -> int:
    """How many other frames of this contract are on the stack."""
    _base(ex)
    account = ex.frames[-1].account
    return sum(1 for frame in ex.frames if frame.account == account) - 1


@host_fn("seal0", "account_reentrance_count")
def account_reentrance_count(ex: Execution, account_ptr: int) -> int:
    """How many frames of a given contract are on the stack."""
    _base(ex, _ACCOUNT)
    account = ex.frames[-1].read(account_ptr, _ACCOUNT)
    return sum(1 for frame in ex.frames if frame.account == account)


@host_fn("seal0", "instantiation_nonce")
def instantiation_nonce(ex: Execution) -> int:
    """Instantiations this execution has made so far."""
    _base(ex)
    return ex.nonce


@host_fn("seal0", "debug_message")
def debug_message(ex: Execution, str_ptr: int, str_len: int) -> int:
    """Collect debug output when enabled; ``LoggingDisabled`` otherwise."""
    _base(ex, str_len & 0xFFFF_FFFF)
    if not ex.env.debug:
        return ReturnCode.LOGGING_DISABLED
    text = ex.frames[-1].read(str_ptr, str_len).decode(errors="replace")
    room = ex.schedule.limits.debug_buffer_len - sum(len(part) for part in ex.debug_buffer)
    if room > 0:
        ex.debug_buffer.append(text[:room])
    return ReturnCode.SUCCESS


@host_fn("seal0", "deposit_event")
def deposit_event(
    ex: Execution, topics_ptr: int, topics_len: int, data_ptr: int, data_len: int
) -> None:
    """Record an event with its topics (SCALE ``Vec<[u8; 32]>``) and data."""
    frame = ex.frames[-1]
    if frame.read_only:
        raise ContractError(
            ContractErrorCode.STATE_CHANGE_DENIED, "a read-only call may not emit events"
        )
    topics_len &= 0xFFFF_FFFF
    data_len &= 0xFFFF_FFFF
    _check_payload(ex, data_len, "event data")
    ex.charge(ex.schedule.costs.event)
    _base(ex, topics_len + data_len)
    raw = frame.read(topics_ptr, topics_len)
    try:
        count, offset = decode_compact(raw, 0) if raw else (0, 0)
    except Exception as error:
        raise ContractError(ContractErrorCode.DECODING_FAILED, f"event topics: {error}") from None
    if offset + 32 * count != len(raw):
        raise ContractError(
            ContractErrorCode.DECODING_FAILED, "event topics are not a Vec<[u8; 32]>"
        )
    if count > ex.schedule.limits.event_topics:
        raise ContractError(
            ContractErrorCode.TOO_MANY_TOPICS,
            f"{count} topics; at most {ex.schedule.limits.event_topics}",
        )
    topics = tuple(raw[offset + 32 * i : offset + 32 * (i + 1)] for i in range(count))
    frame.events.append(ContractEvent(frame.account, topics, frame.read(data_ptr, data_len)))


def _hash(
    ex: Execution, input_ptr: int, input_len: int, output_ptr: int, digest: bytes | None = None
) -> bytes:
    frame = ex.frames[-1]
    ex.charge(ex.schedule.costs.hash_per_byte * (input_len & 0xFFFF_FFFF))
    _base(ex)
    return frame.read(input_ptr, input_len)


@host_fn("seal0", "hash_blake2_256")
def hash_blake2_256(ex: Execution, input_ptr: int, input_len: int, output_ptr: int) -> None:
    """Write blake2b-256 of the input."""
    ex.frames[-1].write(output_ptr, blake2_256(_hash(ex, input_ptr, input_len, output_ptr)))


@host_fn("seal0", "hash_blake2_128")
def hash_blake2_128(ex: Execution, input_ptr: int, input_len: int, output_ptr: int) -> None:
    """Write blake2b-128 of the input."""
    ex.frames[-1].write(output_ptr, blake2_128(_hash(ex, input_ptr, input_len, output_ptr)))


@host_fn("seal0", "hash_sha2_256")
def hash_sha2_256(ex: Execution, input_ptr: int, input_len: int, output_ptr: int) -> None:
    """Write SHA-256 of the input."""
    data = _hash(ex, input_ptr, input_len, output_ptr)
    ex.frames[-1].write(output_ptr, hashlib.sha256(data).digest())


@host_fn("seal0", "hash_keccak_256")
def hash_keccak_256(ex: Execution, input_ptr: int, input_len: int, output_ptr: int) -> None:
    """Write Keccak-256 (Ethereum's, not SHA3-256) of the input."""
    data = _hash(ex, input_ptr, input_len, output_ptr)
    ex.frames[-1].write(output_ptr, keccak_256(data))


@host_fn("seal0", "sr25519_verify")
def sr25519_verify(
    ex: Execution, signature_ptr: int, pub_key_ptr: int, message_len: int, message_ptr: int
) -> int:
    """Verify an sr25519 signature over a message."""
    frame = ex.frames[-1]
    ex.charge(ex.schedule.costs.signature)
    _base(ex, message_len & 0xFFFF_FFFF)
    signature = frame.read(signature_ptr, 64)
    public = frame.read(pub_key_ptr, 32)
    message = frame.read(message_ptr, message_len)
    if verify(KeyScheme.SR25519, public, message, signature):
        return ReturnCode.SUCCESS
    return ReturnCode.SR25519_VERIFY_FAILED


def _check_payload(ex: Execution, length: int, what: str) -> None:
    limit = ex.schedule.limits.payload_len
    if length > limit:
        raise ContractError(
            ContractErrorCode.VALUE_TOO_LARGE, f"{what} of {length} bytes; at most {limit}"
        )
