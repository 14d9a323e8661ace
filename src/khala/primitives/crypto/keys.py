"""Signing keys: sr25519 (schnorrkel, Substrate's account scheme) and ed25519.

A :class:`Keypair` holds a scheme, its public key and its secret. sr25519 signatures are
randomised by the library (schnorrkel draws a nonce), which is harmless: verification is
deterministic and nothing in consensus depends on signature bytes being reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import sr25519
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from khala.primitives.crypto.errors import CryptoError, CryptoErrorCode

PUBLIC_KEY_LENGTH = 32
"""Both schemes use 32-byte public keys (an AccountId32 is an sr25519 public key)."""
SIGNATURE_LENGTH = 64
"""Both schemes produce 64-byte signatures."""
SEED_LENGTH = 32
"""A mini secret / seed is 32 bytes for both schemes."""


class KeyScheme(StrEnum):
    """The signature schemes khala accounts and authorities use."""

    SR25519 = "sr25519"
    """Schnorr over Ristretto25519: accounts, workers' identity keys."""
    ED25519 = "ed25519"
    """EdDSA over Curve25519: authority (finality) keys."""


@dataclass(frozen=True, slots=True)
class Keypair:
    """A key pair of one scheme; ``secret`` never appears in ``repr``.

    For sr25519 ``secret`` is the 64-byte expanded secret key (key ++ nonce); for ed25519 it is
    the 32-byte seed.
    """

    scheme: KeyScheme
    """Which signature scheme the pair belongs to."""
    public_key: bytes
    """The 32-byte public key."""
    secret: bytes = field(repr=False)
    """The secret material; kept out of repr so it never lands in logs."""

    def sign(self, message: bytes) -> bytes:
        """Sign ``message`` and return the 64-byte signature."""
        if self.scheme is KeyScheme.SR25519:
            signature: bytes = sr25519.sign((self.public_key, self.secret), message)
            return signature
        return Ed25519PrivateKey.from_private_bytes(self.secret).sign(message)


def keypair_from_seed(scheme: KeyScheme, seed: bytes) -> Keypair:
    """Create a key pair from a 32-byte seed (sr25519: a mini secret, Ed25519 expansion mode).

    Raises:
        CryptoError: ``crypto.invalid_seed`` when the seed is not 32 bytes.
    """
    if len(seed) != SEED_LENGTH:
        raise CryptoError(CryptoErrorCode.INVALID_SEED, f"seed must be 32 bytes, got {len(seed)}")
    if scheme is KeyScheme.SR25519:
        public_key, secret = sr25519.pair_from_seed(seed)
        return Keypair(scheme, bytes(public_key), bytes(secret))
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public_key = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Keypair(scheme, public_key, bytes(seed))


def verify(scheme: KeyScheme, public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Return whether ``signature`` is a valid signature of ``message`` by ``public_key``.

    Malformed keys or signatures verify as False rather than raising: a verifier facing
    untrusted input only needs to know the signature is not acceptable.
    """
    if len(public_key) != PUBLIC_KEY_LENGTH or len(signature) != SIGNATURE_LENGTH:
        return False
    if scheme is KeyScheme.SR25519:
        try:
            return bool(sr25519.verify(signature, message, public_key))
        except (ValueError, TypeError):
            return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
