"""JSON-RPC errors, with the standard codes and Substrate's author codes."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from khala.errors import KhalaError


class ErrorCode(IntEnum):
    """JSON-RPC error codes used by the server."""

    PARSE_ERROR = -32700
    """The body is not JSON."""
    INVALID_REQUEST = -32600
    """Not a JSON-RPC 2.0 request object (or too large)."""
    METHOD_NOT_FOUND = -32601
    """No such method; ``rpc_methods`` lists them."""
    INVALID_PARAMS = -32602
    """Parameters of the wrong number, type or format."""
    INTERNAL_ERROR = -32603
    """An unexpected server failure."""
    TOO_MANY_SUBSCRIPTIONS = -32006
    """The connection holds the most subscriptions allowed (jsonrpsee's code); unsubscribe."""
    RESPONSE_TOO_LARGE = -32008
    """The answer (or a batch's answers together) would exceed the response limit (jsonrpsee's
    code); ask for less, e.g. fewer blocks per ``khala_syncBlocks`` or fewer calls per batch."""
    UNKNOWN_BLOCK = 4003
    """A block hash or number the node does not have."""
    STATE_PRUNED = 4004
    """The block is known but its state was pruned (``data``: ``chain.state_pruned``); ask a
    recent block or an archive node."""


class RpcError(Exception):
    """An error answered to the client."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        """Create the error object."""
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, Any]:
        """Return the JSON-RPC error object."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def chain_error(error: KhalaError) -> RpcError:
    """The RPC error for a chain lookup that failed: unknown block, or pruned state."""
    if error.code.value == "chain.state_pruned":
        return RpcError(ErrorCode.STATE_PRUNED, error.message, error.code.value)
    return RpcError(ErrorCode.UNKNOWN_BLOCK, error.message)


def invalid_params(message: str) -> RpcError:
    """Build an invalid-params error saying what to fix."""
    return RpcError(ErrorCode.INVALID_PARAMS, f"Invalid params: {message}")
