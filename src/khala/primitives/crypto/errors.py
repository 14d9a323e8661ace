"""Errors of the crypto primitives."""

from __future__ import annotations

from enum import StrEnum

from khala.errors import KhalaError


class CryptoErrorCode(StrEnum):
    """Codes of :class:`CryptoError`."""

    INVALID_URI = "crypto.invalid_uri"
    """A secret URI does not match ``[phrase | 0xseed][//hard | /soft]*[///password]``."""
    INVALID_MNEMONIC = "crypto.invalid_mnemonic"
    """A phrase is not a valid BIP39 English mnemonic (unknown word or bad checksum)."""
    INVALID_SEED = "crypto.invalid_seed"
    """A hex seed is not exactly 32 bytes of valid hex."""
    INVALID_KEY = "crypto.invalid_key"
    """A key or signature has the wrong length for its scheme."""
    SOFT_DERIVATION_UNSUPPORTED = "crypto.soft_derivation_unsupported"
    """ed25519 supports only hard (``//``) junctions."""
    INVALID_ENTROPY = "crypto.invalid_entropy"
    """Entropy for a new mnemonic must be 16, 20, 24, 28 or 32 bytes."""
    UNKNOWN_SCHEME = "crypto.unknown_scheme"
    """The key scheme is not sr25519 or ed25519."""


class CryptoError(KhalaError):
    """A key, URI, mnemonic or signature input was malformed."""


class EnvelopeErrorCode(StrEnum):
    """Codes of :class:`EnvelopeError`."""

    MALFORMED = "envelope.malformed"
    """The envelope is shorter than its header plus the authentication tag."""
    DECRYPTION_FAILED = "envelope.decryption_failed"
    """Authentication failed: wrong key, wrong label or associated data, or tampered bytes."""
    INVALID_PARAMETER = "envelope.invalid_parameter"
    """A key or IV given to seal has the wrong length."""


class EnvelopeError(KhalaError):
    """An encrypted envelope could not be created or opened."""
