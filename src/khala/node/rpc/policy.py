"""What the RPC server accepts: sizes, batches, subscriptions and browser origins.

Defaults follow Substrate's: 15 MiB requests and responses, batches of 1000 calls, 1024
subscriptions per connection, and ``--rpc-cors`` allowing only pages served from localhost, so
an arbitrary web page a node operator visits cannot drive the local node. Requests without an
``Origin`` header (curl, the SDK, relayers) are not browsers and are not subject to CORS.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

MIB = 1024 * 1024
"""One mebibyte."""
LOCALHOST_ORIGINS = (
    "http://localhost:*",
    "http://127.0.0.1:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
)
"""``--rpc-cors`` default: pages served from this machine, on any port."""


@dataclass(frozen=True, slots=True)
class RpcPolicy:
    """Limits and origins of one RPC server."""

    max_request_bytes: int = 15 * MIB
    """Largest request body or WebSocket message (Substrate's default)."""
    max_response_bytes: int = 15 * MIB
    """Largest answer, and largest total of one batch's answers."""
    max_batch: int = 1000
    """Most calls in one batch."""
    max_subscriptions: int = 1024
    """Most live subscriptions on one WebSocket connection (Substrate's default)."""
    cors: tuple[str, ...] | None = LOCALHOST_ORIGINS
    """Browser origins allowed (``scheme://host:*`` matches any port); None allows all."""

    def allows_origin(self, origin: str | None) -> bool:
        """Whether a request with this ``Origin`` header may use the node."""
        if origin is None or self.cors is None:
            return True
        return any(_matches(pattern, origin) for pattern in self.cors)


def _matches(pattern: str, origin: str) -> bool:
    if pattern == origin:
        return True
    if not pattern.endswith(":*"):
        return False
    wanted, seen = urlsplit(pattern[:-2]), urlsplit(origin)
    return (wanted.scheme, wanted.hostname) == (seen.scheme, seen.hostname) and not seen.path


def parse_cors(text: str) -> tuple[str, ...] | None:
    """Parse ``--rpc-cors``: ``all``, or a comma-separated list of origins (``*`` ports allowed).

    Raises:
        ValueError: For an empty list (say ``all`` to allow every origin).
    """
    if text.strip() == "all":
        return None
    origins = tuple(part.strip() for part in text.split(",") if part.strip())
    if not origins:
        raise ValueError("--rpc-cors needs origins, or 'all'")
    return origins
