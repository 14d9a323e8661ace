"""Domain-separated signing of content that is not a message-queue message.

Message-queue messages are signed as their SCALE encoding, whose first byte is the sender's
``MessageOrigin`` variant index. Every other signed thing is signed as
``0xff ++ content_type ++ payload``; 0xff is an origin index that is never assigned, so a
signature over one kind of content can never be replayed as a signature over another kind or
over a message.
"""

from __future__ import annotations

from enum import IntEnum

from khala.primitives.crypto.keys import Keypair, KeyScheme, verify

DOMAIN_PREFIX = 0xFF
"""The reserved first byte that no message origin uses."""


class SignedContentType(IntEnum):
    """What a domain-separated signature covers; the value is its tag byte."""

    RPC_RESPONSE = 1
    """A worker's answer to an API request."""
    ENDPOINT_INFO = 2
    """A worker's published network endpoints."""
    MASTER_KEY_ROTATION = 3
    """A gatekeeper's master-key rotation payload."""
    MASTER_KEY_STORE = 4
    """A sealed master-key store."""
    CONTRACT_QUERY = 5
    """A client's signed confidential contract query."""
    QUERY_CERTIFICATE = 6
    """An account delegating contract queries to a session key until an expiry."""
    CLUSTER_STATE_REQUEST = 7
    """A worker added to a cluster asking a member for the cluster's state."""
    CLUSTER_STATE_ROOT = 8
    """A cluster member's statement of its state root at a block."""


def wrap_for_signing(content_type: SignedContentType, payload: bytes) -> bytes:
    """Return the bytes actually signed for ``payload``: ``0xff ++ type ++ payload``."""
    return bytes((DOMAIN_PREFIX, int(content_type))) + payload


def sign_content(pair: Keypair, content_type: SignedContentType, payload: bytes) -> bytes:
    """Sign ``payload`` as content of ``content_type``."""
    return pair.sign(wrap_for_signing(content_type, payload))


def verify_content(
    scheme: KeyScheme,
    public_key: bytes,
    content_type: SignedContentType,
    payload: bytes,
    signature: bytes,
) -> bool:
    """Return whether ``signature`` signs ``payload`` as content of ``content_type``."""
    return verify(scheme, public_key, wrap_for_signing(content_type, payload), signature)
