"""Parsing RPC parameters into typed values, with errors that say what to fix."""

from __future__ import annotations

from typing import Any

from khala.node.rpc.errors import invalid_params
from khala.primitives.ss58 import Ss58Error, ss58_decode

MAX_BLOCK_NUMBER = 2**32 - 1
"""Block numbers are u32."""


def positional(params: Any, count: int, name: str) -> list[Any]:
    """Return params as a list of at most ``count`` items (missing ones as None)."""
    if params is None:
        params = []
    if not isinstance(params, list):
        raise invalid_params(f"{name} takes positional parameters (a JSON array)")
    if len(params) > count:
        raise invalid_params(f"{name} takes at most {count} parameters, got {len(params)}")
    return params + [None] * (count - len(params))


def hex_bytes(value: Any, what: str, *, length: int | None = None, limit: int = 8 << 20) -> bytes:
    """Parse a ``0x``-prefixed hex string."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise invalid_params(f"{what} must be a 0x-prefixed hex string")
    if len(value) > 2 + 2 * limit:
        raise invalid_params(f"{what} is longer than {limit} bytes")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise invalid_params(f"{what} is not valid hex") from None
    if length is not None and len(raw) != length:
        raise invalid_params(f"{what} must be {length} bytes, got {len(raw)}")
    return raw


def optional_hash(value: Any, what: str = "block hash") -> bytes | None:
    """Parse an optional 32-byte block hash."""
    return None if value is None else hex_bytes(value, what, length=32)


def block_number(value: Any) -> int:
    """Parse a block number given as an integer or hex string."""
    if isinstance(value, bool):
        raise invalid_params("block number must be a non-negative integer")
    if isinstance(value, int) and 0 <= value <= MAX_BLOCK_NUMBER:
        return value
    if isinstance(value, str):
        try:
            number = int(value, 16) if value.startswith("0x") else int(value)
        except ValueError:
            raise invalid_params(f"block number {value!r} is not a number") from None
        if 0 <= number <= MAX_BLOCK_NUMBER:
            return number
    raise invalid_params(f"block number must be an integer from 0 to {MAX_BLOCK_NUMBER} (u32)")


def account_id(value: Any) -> bytes:
    """Parse an SS58 address or a 0x-prefixed 32-byte account id."""
    if isinstance(value, str) and value.startswith("0x"):
        return hex_bytes(value, "account", length=32)
    if isinstance(value, str):
        try:
            return ss58_decode(value)[1]
        except Ss58Error as error:
            raise invalid_params(f"address: {error.message}") from None
    raise invalid_params("account must be an SS58 address or 0x-prefixed hex")


def count(value: Any, what: str, maximum: int) -> int:
    """Parse a positive count no larger than ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= maximum:
        raise invalid_params(f"{what} must be an integer from 1 to {maximum}")
    return value
