"""Keys, signatures, secret URIs, encrypted envelopes and domain-separated signing."""

from khala.primitives.crypto.envelope import (
    open_envelope,
    seal,
    seal_ephemeral,
    x25519_public_key,
)
from khala.primitives.crypto.errors import (
    CryptoError,
    CryptoErrorCode,
    EnvelopeError,
    EnvelopeErrorCode,
)
from khala.primitives.crypto.keys import Keypair, KeyScheme, keypair_from_seed, verify
from khala.primitives.crypto.signing import (
    SignedContentType,
    sign_content,
    verify_content,
    wrap_for_signing,
)
from khala.primitives.crypto.uri import (
    DEV_PHRASE,
    keypair_from_uri,
    mnemonic_from_entropy,
    mnemonic_to_seed,
)

__all__ = [
    "DEV_PHRASE",
    "CryptoError",
    "CryptoErrorCode",
    "EnvelopeError",
    "EnvelopeErrorCode",
    "KeyScheme",
    "Keypair",
    "SignedContentType",
    "keypair_from_seed",
    "keypair_from_uri",
    "mnemonic_from_entropy",
    "mnemonic_to_seed",
    "open_envelope",
    "seal",
    "seal_ephemeral",
    "sign_content",
    "verify",
    "verify_content",
    "wrap_for_signing",
    "x25519_public_key",
]
