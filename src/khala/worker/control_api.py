"""The worker's control API: registration, endpoint, sync and egress, for its own relayer only.

It listens apart from the public API (``--control-host``/``--control-port``, loopback by
default). Bound to any other interface it requires the token kept in ``BASE/control.token``
(``Authorization: Bearer <token>``, or HTTP basic auth with the token as password, so a relayer
can be given ``http://:TOKEN@host:port``). What it signs is the worker's own configuration:

* ``GET /registration``: a registration for the worker's configured ``--operator``; a request
  naming another operator (``?operator=0x…``) is refused, so a caller cannot register the worker
  to himself.
* ``GET /endpoint``: the identity's signature over the configured ``--public-url`` only.
* ``POST /sync``, ``GET /egress``: verified block sync and signed messages (``docs/sync.md``).

Refusals are JSON ``{"error": {"code", "message"}}`` with a typed code.
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Middleware

from khala.service.files import write_atomic

TOKEN_FILE = "control.token"  # noqa: S105 - a file name, not a secret
"""The control API's token, under the worker's base path (mode 0600)."""


class ControlErrorCode(StrEnum):
    """Why the control API refused a request."""

    UNAUTHORIZED = "worker.unauthorized"
    """The control API is exposed beyond loopback and the request lacks its token (see
    ``BASE/control.token``)."""
    NO_OPERATOR = "worker.no_operator"
    """The worker has no operator: start it with ``--operator ACCOUNT``."""
    OPERATOR_MISMATCH = "worker.operator_mismatch"
    """The request names another operator than the one the worker is configured with."""
    ENDPOINT_MISMATCH = "worker.endpoint_mismatch"
    """The request names another endpoint than the worker's ``--public-url``."""


def refusal(code: ControlErrorCode, message: str, status: int) -> web.Response:
    """A typed JSON refusal."""
    return web.json_response({"error": {"code": code.value, "message": message}}, status=status)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback interface (the control API then needs no token)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_or_create_token(base_path: Path) -> str:
    """Return the control token, creating ``BASE/control.token`` (0600) on first use."""
    path = base_path / TOKEN_FILE
    if path.exists():
        return path.read_text().strip()
    token = secrets.token_hex(32)
    write_atomic(path, token.encode())
    return token


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
"""An aiohttp request handler."""


def token_middleware(token: str) -> Middleware:
    """Require ``token`` on every request (bearer, or basic auth with it as password)."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        offered = ""
        if header.startswith("Bearer "):
            offered = header[len("Bearer ") :]
        elif header.startswith("Basic "):
            try:
                offered = base64.b64decode(header[len("Basic ") :]).decode().partition(":")[2]
            except (ValueError, UnicodeDecodeError):
                offered = ""
        if not hmac.compare_digest(offered.encode(), token.encode()):
            return refusal(
                ControlErrorCode.UNAUTHORIZED,
                "the control API needs the token in the worker's control.token",
                401,
            )
        return await handler(request)

    return check
