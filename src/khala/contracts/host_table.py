"""The host functions a contract may import, with their wasm signatures.

These are the functions of ``pallet-contracts``' API (``pallet-contracts-uapi``) that ink! v4
and v5 contracts import from the ``seal0``, ``seal1`` and ``seal2`` modules. Pointers, lengths
and return codes are ``i32``; gas limits are ``i64``. A contract importing anything else is
refused at upload, so a call can never reach a function this host lacks.
"""

from __future__ import annotations

_I = "i32"
_L = "i64"

HostSignature = tuple[tuple[str, ...], tuple[str, ...]]
"""(parameter types, result types) of one host function."""


def _sig(params: str, result: bool = False) -> HostSignature:
    kinds = {"i": _I, "l": _L}
    return tuple(kinds[c] for c in params), ((_I,) if result else ())


HOST_SIGNATURES: dict[tuple[str, str], HostSignature] = {
    # Input, output and the execution environment.
    ("seal0", "input"): _sig("ii"),
    ("seal0", "seal_return"): _sig("iii"),
    ("seal0", "caller"): _sig("ii"),
    ("seal0", "caller_is_origin"): _sig("", True),
    ("seal0", "address"): _sig("ii"),
    ("seal0", "balance"): _sig("ii"),
    ("seal0", "value_transferred"): _sig("ii"),
    ("seal0", "minimum_balance"): _sig("ii"),
    ("seal0", "block_number"): _sig("ii"),
    ("seal0", "now"): _sig("ii"),
    ("seal0", "gas_left"): _sig("ii"),
    ("seal1", "gas_left"): _sig("ii"),
    ("seal0", "own_code_hash"): _sig("ii"),
    ("seal0", "code_hash"): _sig("iii", True),
    ("seal0", "is_contract"): _sig("i", True),
    ("seal0", "reentrance_count"): _sig("", True),
    ("seal0", "account_reentrance_count"): _sig("i", True),
    ("seal0", "instantiation_nonce"): ((), (_L,)),
    ("seal0", "debug_message"): _sig("ii", True),
    ("seal0", "deposit_event"): _sig("iiii"),
    # Hashing and signatures.
    ("seal0", "hash_blake2_256"): _sig("iii"),
    ("seal0", "hash_blake2_128"): _sig("iii"),
    ("seal0", "hash_sha2_256"): _sig("iii"),
    ("seal0", "hash_keccak_256"): _sig("iii"),
    ("seal0", "sr25519_verify"): _sig("iiii", True),
    # Storage: seal0 takes fixed 32-byte keys, later versions take a length.
    ("seal0", "get_storage"): _sig("iii", True),
    ("seal1", "get_storage"): _sig("iiii", True),
    ("seal0", "set_storage"): _sig("iii"),
    ("seal1", "set_storage"): _sig("iii", True),
    ("seal2", "set_storage"): _sig("iiii", True),
    ("seal0", "clear_storage"): _sig("i"),
    ("seal1", "clear_storage"): _sig("ii", True),
    ("seal0", "contains_storage"): _sig("i", True),
    ("seal1", "contains_storage"): _sig("ii", True),
    ("seal0", "take_storage"): _sig("iiii", True),
    # Value, calls and instantiation.
    ("seal0", "transfer"): _sig("iiii", True),
    ("seal1", "call"): _sig("iiliiiii", True),
    ("seal2", "call"): _sig("iilliiiiii", True),
    ("seal0", "delegate_call"): _sig("iiiiii", True),
    ("seal1", "instantiate"): _sig("iliiiiiiiii", True),
    ("seal2", "instantiate"): _sig("illiiiiiiiiii", True),
    ("seal1", "terminate"): _sig("i"),
    ("seal0", "call_chain_extension"): _sig("iiiii", True),
}
"""Every importable host function by (module, name)."""


class ReturnCode:
    """``pallet-contracts``' ``ReturnCode``: what fallible host functions return."""

    SUCCESS = 0
    """The call worked."""
    CALLEE_TRAPPED = 1
    """The callee trapped; its changes were rolled back and no output was written."""
    CALLEE_REVERTED = 2
    """The callee returned with the revert flag; its changes were rolled back."""
    KEY_NOT_FOUND = 3
    """No value under that storage key."""
    TRANSFER_FAILED = 5
    """The sender cannot afford the value."""
    CODE_NOT_FOUND = 7
    """No code with that hash."""
    NOT_CALLABLE = 8
    """The account is not a contract."""
    LOGGING_DISABLED = 9
    """``debug_message`` was called while debug output is off."""
    SR25519_VERIFY_FAILED = 12
    """The signature does not verify."""


class CallFlags:
    """Bits of the ``flags`` argument of ``call`` and ``delegate_call``."""

    FORWARD_INPUT = 1
    """Pass the caller's own input to the callee (the caller cannot read it afterwards)."""
    CLONE_INPUT = 2
    """Pass a copy of the caller's input to the callee."""
    TAIL_CALL = 4
    """Return the callee's output as the caller's own, ending the caller."""
    ALLOW_REENTRY = 8
    """Allow the callee to be a contract already on the call stack."""
    READ_ONLY = 16
    """The callee (and everything it calls) may not change state."""
    ALL = 31
    """Every defined bit."""


REVERT_FLAG = 1
"""The only defined bit of ``seal_return``'s flags: roll back this frame's changes."""
