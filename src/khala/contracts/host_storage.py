"""Host functions for contract storage: get, set, clear, contains and take.

Each keeps the contract's item and byte counts (what its storage deposit is computed from)
and marks the contract touched, so the execution settles its deposit at the end.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.host import host_fn
from khala.contracts.host_table import ReturnCode
from khala.contracts.schedule import MAX_STORAGE_KEY_LEN, SENTINEL

if TYPE_CHECKING:
    from khala.contracts.execution import Execution


def _key(ex: Execution, key_ptr: int, key_len: int) -> bytes:
    key_len &= 0xFFFF_FFFF
    if key_len > MAX_STORAGE_KEY_LEN:
        raise ContractError(
            ContractErrorCode.KEY_TOO_LONG,
            f"a {key_len}-byte storage key; at most {MAX_STORAGE_KEY_LEN}",
        )
    ex.charge(ex.schedule.costs.base + ex.schedule.costs.per_byte * key_len)
    return ex.frames[-1].read(key_ptr, key_len)


def _read_value(ex: Execution, key: bytes) -> bytes | None:
    ex.charge(ex.schedule.costs.storage_read)
    frame = ex.frames[-1]
    return frame.world.storage(frame.account, key)


def _write(ex: Execution, key: bytes, value: bytes | None) -> int:
    """Write or remove; return the previous value's length or ``SENTINEL``."""
    frame = ex.frames[-1]
    if frame.read_only:
        raise ContractError(
            ContractErrorCode.STATE_CHANGE_DENIED, "a read-only call may not write storage"
        )
    limit = ex.schedule.limits.payload_len
    if value is not None and len(value) > limit:
        raise ContractError(
            ContractErrorCode.VALUE_TOO_LARGE, f"a {len(value)}-byte storage value; at most {limit}"
        )
    costs = ex.schedule.costs
    ex.charge(costs.storage_write + costs.per_byte * (0 if value is None else len(value)))
    world, account = frame.world, frame.account
    previous = world.storage(account, key)
    info = world.contract(account)
    if info is None:  # the contract terminated earlier in this frame
        raise ContractError(ContractErrorCode.CONTRACT_NOT_FOUND, "the contract no longer exists")
    items, size = info.storage_items, info.storage_bytes
    if previous is not None:
        items, size = items - 1, size - len(key) - len(previous)
    if value is not None:
        items, size = items + 1, size + len(key) + len(value)
    world.set_storage(account, key, value)
    world.set_contract(account, replace(info, storage_items=items, storage_bytes=size))
    ex.touched.add(account)
    return SENTINEL if previous is None else len(previous)


def _get(ex: Execution, key: bytes, out_ptr: int, out_len_ptr: int) -> int:
    value = _read_value(ex, key)
    if value is None:
        return ReturnCode.KEY_NOT_FOUND
    ex.charge(ex.schedule.costs.per_byte * len(value))
    ex.frames[-1].write_output(out_ptr, out_len_ptr, value, allow_skip=False)
    return ReturnCode.SUCCESS


@host_fn("seal0", "get_storage")
def get_storage_fixed(ex: Execution, key_ptr: int, out_ptr: int, out_len_ptr: int) -> int:
    """Read the value under a 32-byte key."""
    return _get(ex, _key(ex, key_ptr, 32), out_ptr, out_len_ptr)


@host_fn("seal1", "get_storage")
def get_storage(ex: Execution, key_ptr: int, key_len: int, out_ptr: int, out_len_ptr: int) -> int:
    """Read the value under a key; ``KeyNotFound`` when absent."""
    return _get(ex, _key(ex, key_ptr, key_len), out_ptr, out_len_ptr)


def _set(ex: Execution, key: bytes, value_ptr: int, value_len: int) -> int:
    value_len &= 0xFFFF_FFFF
    limit = ex.schedule.limits.payload_len
    if value_len > limit:
        raise ContractError(
            ContractErrorCode.VALUE_TOO_LARGE, f"a {value_len}-byte storage value; at most {limit}"
        )
    return _write(ex, key, ex.frames[-1].read(value_ptr, value_len))


@host_fn("seal0", "set_storage")
def set_storage_fixed(ex: Execution, key_ptr: int, value_ptr: int, value_len: int) -> None:
    """Write a value under a 32-byte key."""
    _set(ex, _key(ex, key_ptr, 32), value_ptr, value_len)


@host_fn("seal1", "set_storage")
def set_storage_fixed_sized(ex: Execution, key_ptr: int, value_ptr: int, value_len: int) -> int:
    """Write a value under a 32-byte key; return the previous size or ``SENTINEL``."""
    return _set(ex, _key(ex, key_ptr, 32), value_ptr, value_len)


@host_fn("seal2", "set_storage")
def set_storage(ex: Execution, key_ptr: int, key_len: int, value_ptr: int, value_len: int) -> int:
    """Write a value under a key; return the previous size or ``SENTINEL``."""
    return _set(ex, _key(ex, key_ptr, key_len), value_ptr, value_len)


@host_fn("seal0", "clear_storage")
def clear_storage_fixed(ex: Execution, key_ptr: int) -> None:
    """Remove the value under a 32-byte key."""
    _write(ex, _key(ex, key_ptr, 32), None)


@host_fn("seal1", "clear_storage")
def clear_storage(ex: Execution, key_ptr: int, key_len: int) -> int:
    """Remove the value under a key; return its size or ``SENTINEL``."""
    return _write(ex, _key(ex, key_ptr, key_len), None)


def _contains(ex: Execution, key: bytes) -> int:
    value = _read_value(ex, key)
    return SENTINEL if value is None else len(value)


@host_fn("seal0", "contains_storage")
def contains_storage_fixed(ex: Execution, key_ptr: int) -> int:
    """The size of the value under a 32-byte key, or ``SENTINEL``."""
    return _contains(ex, _key(ex, key_ptr, 32))


@host_fn("seal1", "contains_storage")
def contains_storage(ex: Execution, key_ptr: int, key_len: int) -> int:
    """The size of the value under a key, or ``SENTINEL``."""
    return _contains(ex, _key(ex, key_ptr, key_len))


@host_fn("seal0", "take_storage")
def take_storage(ex: Execution, key_ptr: int, key_len: int, out_ptr: int, out_len_ptr: int) -> int:
    """Remove the value under a key and write it out; ``KeyNotFound`` when absent."""
    key = _key(ex, key_ptr, key_len)
    value = _read_value(ex, key)
    if value is None:
        return ReturnCode.KEY_NOT_FOUND
    _write(ex, key, None)
    ex.frames[-1].write_output(out_ptr, out_len_ptr, value, allow_skip=False)
    return ReturnCode.SUCCESS
