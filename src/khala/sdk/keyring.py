"""Key pairs from secret URIs, and address formatting, for SDK users and the CLI."""

from __future__ import annotations

from khala.primitives.crypto import Keypair, KeyScheme, keypair_from_uri
from khala.primitives.ss58 import KHALA_PREFIX, ss58_encode


def pair(uri: str, scheme: KeyScheme = KeyScheme.SR25519) -> Keypair:
    """Return the key pair of a secret URI (``//Alice``, a mnemonic, ``0x<seed>//path``)."""
    return keypair_from_uri(uri, scheme)


def address(public_key: bytes, prefix: int = KHALA_PREFIX) -> str:
    """Return the SS58 address of a public key (khala's prefix 30 by default)."""
    return ss58_encode(public_key, prefix)
