"""SDK errors."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from khala.errors import KhalaError


class SdkErrorCode(StrEnum):
    """Codes of :class:`SdkError`."""

    CONNECTION_FAILED = "sdk.connection_failed"
    """The node could not be reached (is ``khala node`` running at that URL?)."""
    RPC_ERROR = "sdk.rpc_error"
    """The node answered with a JSON-RPC error (see ``rpc_code`` and the message)."""
    BAD_RESPONSE = "sdk.bad_response"
    """The node's answer was not valid JSON-RPC."""
    TIMEOUT = "sdk.timeout"
    """A wait for inclusion or finality ran out of time."""
    UNKNOWN_BLOCK = "sdk.unknown_block"
    """The node does not have the requested block."""
    NOT_FOUND = "sdk.not_found"
    """The requested on-chain item (e.g. a worker) does not exist."""


class SdkError(KhalaError):
    """A client-side failure.

    Attributes:
        rpc_code: The JSON-RPC error code for ``sdk.rpc_error``.
        rpc_data: The error's data field, if any.
    """

    def __init__(
        self, code: SdkErrorCode, message: str, *, rpc_code: int | None = None, rpc_data: Any = None
    ) -> None:
        """Create the error."""
        super().__init__(code, message)
        self.rpc_code = rpc_code
        self.rpc_data = rpc_data


def rpc_failure(error: Any) -> SdkError:
    """Build the error for a JSON-RPC error object."""
    if not isinstance(error, dict):
        return SdkError(SdkErrorCode.BAD_RESPONSE, f"malformed error object {error!r}")
    data = error.get("data")
    detail = f" ({data})" if data else ""
    return SdkError(
        SdkErrorCode.RPC_ERROR,
        f"{error.get('message', 'error')}{detail}",
        rpc_code=error.get("code"),
        rpc_data=data,
    )
