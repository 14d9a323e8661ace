"""Host functions that move value or run other code: transfer, calls, instantiate, terminate.

Calls and instantiations run a nested frame with a share of the gas; what the callee did wrong
comes back to the caller as a return code (``CalleeTrapped``, ``CalleeReverted``,
``TransferFailed``, ``CodeNotFound``) while misuse by the caller itself (bad flags, reentry,
depth, a duplicate address) traps the caller, as in ``pallet-contracts``. A query's deadline
stops every frame. The chain extension (pink) is reached from here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.execution import CalleeTrapped, Return, contract_address
from khala.contracts.extension import ExtensionCall
from khala.contracts.host import host_fn
from khala.contracts.host_table import CallFlags, ReturnCode
from khala.contracts.schedule import MAX_STORAGE_KEY_LEN

if TYPE_CHECKING:
    from khala.contracts.execution import Execution
    from khala.contracts.frame import Frame


def _u128(frame: Frame, ptr: int) -> int:
    return int.from_bytes(frame.read(ptr, 16), "little")


@host_fn("seal0", "transfer")
def transfer(
    ex: Execution, account_ptr: int, account_len: int, value_ptr: int, value_len: int
) -> int:
    """Send value to an account; ``TransferFailed`` when the contract cannot afford it."""
    frame = ex.frames[-1]
    if frame.read_only:
        raise ContractError(
            ContractErrorCode.STATE_CHANGE_DENIED, "a read-only call may not move value"
        )
    if account_len & 0xFFFF_FFFF != 32 or value_len & 0xFFFF_FFFF != 16:
        raise ContractError(
            ContractErrorCode.DECODING_FAILED, "transfer takes a 32-byte account and a u128"
        )
    ex.charge(ex.schedule.costs.transfer)
    dest, value = frame.read(account_ptr, 32), _u128(frame, value_ptr)
    try:
        ex.transfer(frame.world, frame.account, dest, value)
    except ContractError:
        return ReturnCode.TRANSFER_FAILED
    return ReturnCode.SUCCESS


def _call_input(frame: Frame, flags: int, input_ptr: int, input_len: int) -> bytes:
    if flags & CallFlags.FORWARD_INPUT and flags & CallFlags.CLONE_INPUT:
        raise ContractError(
            ContractErrorCode.INVALID_CALL_FLAGS, "FORWARD_INPUT and CLONE_INPUT together"
        )
    if flags & CallFlags.FORWARD_INPUT:
        return frame.take_input()
    if flags & CallFlags.CLONE_INPUT:
        if frame.input is None:
            raise ContractError(ContractErrorCode.INPUT_FORWARDED, "no input left to clone")
        return frame.input
    return frame.read(input_ptr, input_len)


def _finish(
    ex: Execution, flags: int, result: tuple[int, bytes], out_ptr: int, out_len_ptr: int
) -> int:
    callee_flags, output = result
    if flags & CallFlags.TAIL_CALL:
        raise Return(callee_flags, output)
    ex.charge(ex.schedule.costs.per_byte * len(output))
    ex.frames[-1].write_output(out_ptr, out_len_ptr, output)
    return ReturnCode.CALLEE_REVERTED if callee_flags & 1 else ReturnCode.SUCCESS


def _call(
    ex: Execution,
    flags: int,
    callee_ptr: int,
    gas: int,
    value_ptr: int,
    input_ptr: int,
    input_len: int,
    out_ptr: int,
    out_len_ptr: int,
) -> int:
    flags &= 0xFFFF_FFFF
    if flags & ~CallFlags.ALL:
        raise ContractError(ContractErrorCode.INVALID_CALL_FLAGS, f"call flags {flags:#x}")
    frame = ex.frames[-1]
    ex.charge(ex.schedule.costs.call)
    callee, value = frame.read(callee_ptr, 32), _u128(frame, value_ptr)
    data = _call_input(frame, flags, input_ptr, input_len)
    read_only = frame.read_only or bool(flags & CallFlags.READ_ONLY)
    if frame.world.contract(callee) is None:  # a plain account: the call is a transfer
        if value and read_only:
            raise ContractError(
                ContractErrorCode.STATE_CHANGE_DENIED, "a read-only call may not move value"
            )
        try:
            ex.transfer(frame.world, frame.account, callee, value)
        except ContractError:
            return ReturnCode.TRANSFER_FAILED
        return ReturnCode.SUCCESS
    if frame.world.balance(frame.account) < value:
        return ReturnCode.TRANSFER_FAILED
    reentry = bool(flags & CallFlags.ALLOW_REENTRY)
    try:
        result = ex.with_gas(
            gas & 0xFFFF_FFFF_FFFF_FFFF,
            lambda: ex.run_call(
                frame.world, frame.account, callee, value, data, read_only, allow_reentry=reentry
            ),
        )
    except CalleeTrapped:
        return ReturnCode.CALLEE_TRAPPED
    return _finish(ex, flags, result, out_ptr, out_len_ptr)


@host_fn("seal1", "call")
def call(
    ex: Execution,
    flags: int,
    callee_ptr: int,
    gas: int,
    value_ptr: int,
    input_ptr: int,
    input_len: int,
    out_ptr: int,
    out_len_ptr: int,
) -> int:
    """Call another contract (or send value to an account)."""
    return _call(ex, flags, callee_ptr, gas, value_ptr, input_ptr, input_len, out_ptr, out_len_ptr)


@host_fn("seal2", "call")
def call_v2(
    ex: Execution,
    flags: int,
    callee_ptr: int,
    ref_time: int,
    proof_size: int,
    deposit_ptr: int,
    value_ptr: int,
    input_ptr: int,
    input_len: int,
    out_ptr: int,
    out_len_ptr: int,
) -> int:
    """Call another contract; the proof size and per-call deposit limit are not metered here."""
    return _call(
        ex, flags, callee_ptr, ref_time, value_ptr, input_ptr, input_len, out_ptr, out_len_ptr
    )


@host_fn("seal0", "delegate_call")
def delegate_call(
    ex: Execution,
    flags: int,
    code_hash_ptr: int,
    input_ptr: int,
    input_len: int,
    out_ptr: int,
    out_len_ptr: int,
) -> int:
    """Run another code in this contract's context (its storage, caller and value)."""
    flags &= 0xFFFF_FFFF
    if flags & ~CallFlags.ALL or flags & CallFlags.ALLOW_REENTRY:
        raise ContractError(ContractErrorCode.INVALID_CALL_FLAGS, f"delegate_call flags {flags:#x}")
    frame = ex.frames[-1]
    ex.charge(ex.schedule.costs.call)
    code_hash = frame.read(code_hash_ptr, 32)
    data = _call_input(frame, flags, input_ptr, input_len)
    if frame.world.code(code_hash) is None:
        return ReturnCode.CODE_NOT_FOUND
    from khala.contracts.world import Overlay  # noqa: PLC0415 - keeps the import graph flat

    try:
        result = ex.with_gas(
            0,
            lambda: ex.run_frame(
                Overlay(frame.world),
                frame.account,
                code_hash,
                frame.caller,
                frame.value,
                "call",
                data,
                frame.read_only,
                True,
            ),
        )
    except CalleeTrapped:
        return ReturnCode.CALLEE_TRAPPED
    return _finish(ex, flags, result, out_ptr, out_len_ptr)


def _instantiate(
    ex: Execution,
    code_hash_ptr: int,
    gas: int,
    value_ptr: int,
    input_ptr: int,
    input_len: int,
    address_ptr: int,
    address_len_ptr: int,
    out_ptr: int,
    out_len_ptr: int,
    salt_ptr: int,
    salt_len: int,
) -> int:
    frame = ex.frames[-1]
    ex.charge(ex.schedule.costs.call)
    if salt_len & 0xFFFF_FFFF > MAX_STORAGE_KEY_LEN:
        raise ContractError(ContractErrorCode.VALUE_TOO_LARGE, "the salt is longer than 128 bytes")
    code_hash, value = frame.read(code_hash_ptr, 32), _u128(frame, value_ptr)
    data, salt = frame.read(input_ptr, input_len), frame.read(salt_ptr, salt_len)
    if frame.world.code(code_hash) is None:
        return ReturnCode.CODE_NOT_FOUND
    if frame.world.balance(frame.account) < value:
        return ReturnCode.TRANSFER_FAILED
    address = contract_address(frame.account, code_hash, ex.env.cluster, salt)
    try:
        callee_flags, output = ex.with_gas(
            gas & 0xFFFF_FFFF_FFFF_FFFF,
            lambda: ex.run_instantiate(
                frame.world, frame.account, code_hash, value, data, address, frame.read_only
            ),
        )
    except CalleeTrapped:
        return ReturnCode.CALLEE_TRAPPED
    if not callee_flags & 1:
        frame.write_output(address_ptr, address_len_ptr, address)
    ex.charge(ex.schedule.costs.per_byte * len(output))
    frame.write_output(out_ptr, out_len_ptr, output)
    return ReturnCode.CALLEE_REVERTED if callee_flags & 1 else ReturnCode.SUCCESS


@host_fn("seal1", "instantiate")
def instantiate(
    ex: Execution,
    code_hash_ptr: int,
    gas: int,
    value_ptr: int,
    input_ptr: int,
    input_len: int,
    address_ptr: int,
    address_len_ptr: int,
    out_ptr: int,
    out_len_ptr: int,
    salt_ptr: int,
    salt_len: int,
) -> int:
    """Instantiate a contract from uploaded code."""
    return _instantiate(
        ex,
        code_hash_ptr,
        gas,
        value_ptr,
        input_ptr,
        input_len,
        address_ptr,
        address_len_ptr,
        out_ptr,
        out_len_ptr,
        salt_ptr,
        salt_len,
    )


@host_fn("seal2", "instantiate")
def instantiate_v2(
    ex: Execution,
    code_hash_ptr: int,
    ref_time: int,
    proof_size: int,
    deposit_ptr: int,
    value_ptr: int,
    input_ptr: int,
    input_len: int,
    address_ptr: int,
    address_len_ptr: int,
    out_ptr: int,
    out_len_ptr: int,
    salt_ptr: int,
    salt_len: int,
) -> int:
    """Instantiate a contract; the proof size and per-call deposit limit are not metered here."""
    return _instantiate(
        ex,
        code_hash_ptr,
        ref_time,
        value_ptr,
        input_ptr,
        input_len,
        address_ptr,
        address_len_ptr,
        out_ptr,
        out_len_ptr,
        salt_ptr,
        salt_len,
    )


@host_fn("seal1", "terminate")
def terminate(ex: Execution, beneficiary_ptr: int) -> None:
    """Remove this contract; its balance and storage deposit go to the beneficiary."""
    frame = ex.frames[-1]
    if frame.read_only:
        raise ContractError(
            ContractErrorCode.STATE_CHANGE_DENIED, "a read-only call may not terminate"
        )
    if frame.entry == "deploy":
        raise ContractError(
            ContractErrorCode.TERMINATED_IN_CONSTRUCTOR, "terminate in a constructor"
        )
    if sum(1 for f in ex.frames if f.account == frame.account) > 1:
        raise ContractError(
            ContractErrorCode.TERMINATED_WHILE_REENTRANT, "terminate while reentrant"
        )
    ex.charge(ex.schedule.costs.transfer + ex.schedule.costs.storage_write)
    beneficiary = frame.read(beneficiary_ptr, 32)
    world = frame.world
    info = world.contract(frame.account)
    refund = 0 if info is None else info.storage_deposit
    ex.transfer(world, frame.account, beneficiary, world.balance(frame.account))
    world.set_balance(beneficiary, world.balance(beneficiary) + refund)
    world.set_contract(frame.account, None)
    ex.touched.discard(frame.account)
    raise Return(0, b"")


@host_fn("seal0", "call_chain_extension")
def call_chain_extension(
    ex: Execution, func_id: int, input_ptr: int, input_len: int, out_ptr: int, out_len_ptr: int
) -> int:
    """Call the chain extension (pink is extension 0) and write its output."""
    func_id &= 0xFFFF_FFFF
    extension = ex.env.extension
    if extension is None or func_id >> 16 != 0:
        raise ContractError(
            ContractErrorCode.NO_CHAIN_EXTENSION, f"no chain extension for id {func_id:#x}"
        )
    frame = ex.frames[-1]
    ex.charge(
        ex.schedule.costs.chain_extension + ex.schedule.costs.per_byte * (input_len & 0xFFFF_FFFF)
    )
    request = ExtensionCall(
        contract=frame.account,
        caller=frame.caller,
        origin=ex.env.origin,
        func_id=func_id & 0xFFFF,
        input=frame.read(input_ptr, input_len),
        in_query=ex.env.in_query,
    )
    status, output = extension.call(ex, request)
    ex.charge(ex.schedule.costs.per_byte * len(output))
    frame.write_output(out_ptr, out_len_ptr, output, allow_skip=False)
    return status
