"""Key pairs from secret URIs or keystore names, and address formatting, for the SDK and CLI."""

from __future__ import annotations

from collections.abc import Callable

from khala.primitives.crypto import Keypair, KeyScheme, keypair_from_uri
from khala.primitives.ss58 import KHALA_PREFIX, ss58_encode
from khala.sdk import keystore


def pair(
    secret: str,
    scheme: KeyScheme = KeyScheme.SR25519,
    *,
    passphrase: Callable[[str], str] | None = None,
) -> Keypair:
    """Return the key pair of a secret URI, a mnemonic, or a keystore name.

    URIs look like ``//Alice`` or ``0x<seed>//path``; a keystore entry is unlocked with
    ``passphrase(name)``.

    Raises:
        KeystoreError: For a stored key without a passphrase provider, or a wrong passphrase.
        CryptoError: For text that is neither a stored name nor a valid secret URI.
    """
    if passphrase is not None and keystore.has(secret):
        return keystore.load(secret, passphrase(secret))
    return keypair_from_uri(secret, scheme)


def address(public_key: bytes, prefix: int = KHALA_PREFIX) -> str:
    """Return the SS58 address of a public key (khala's prefix 30 by default)."""
    return ss58_encode(public_key, prefix)
