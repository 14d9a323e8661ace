"""Domain-separated signatures cannot be replayed across content types or as messages."""

from __future__ import annotations

from khala.primitives.crypto import (
    KeyScheme,
    SignedContentType,
    keypair_from_uri,
    sign_content,
    verify,
    verify_content,
    wrap_for_signing,
)


def test_wrapped_bytes_start_with_reserved_origin_and_type() -> None:
    """Non-message content is signed as 0xff ++ type ++ payload."""
    assert wrap_for_signing(SignedContentType.ENDPOINT_INFO, b"abc") == b"\xff\x02abc"


def test_signature_is_bound_to_its_content_type() -> None:
    """A signature over one content type fails for another type and for the raw payload."""
    pair = keypair_from_uri("//Alice")
    signature = sign_content(pair, SignedContentType.RPC_RESPONSE, b"payload")
    public_key = pair.public_key
    assert verify_content(
        KeyScheme.SR25519, public_key, SignedContentType.RPC_RESPONSE, b"payload", signature
    )
    assert not verify_content(
        KeyScheme.SR25519, public_key, SignedContentType.ENDPOINT_INFO, b"payload", signature
    )
    assert not verify(KeyScheme.SR25519, public_key, b"payload", signature)
