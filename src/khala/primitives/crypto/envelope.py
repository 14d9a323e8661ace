"""Encrypted envelopes to an x25519 key, and x25519 key helpers.

One format serves both uses::

    envelope = sender_ecdh_public (32) ++ iv (12) ++ AES-256-GCM(ciphertext ++ tag (16))
    key      = HKDF-SHA256(ikm = x25519(sender_secret, recipient_public), salt = none,
                           info = "khala/envelope/v1/" ++ label
                                  ++ sender_public ++ recipient_public)

* **Ephemeral** (:func:`seal_ephemeral`): the sender key is a fresh one-time key; what a
  client uses to send a contract command or query that only the recipient can read.
* **Deterministic** (:func:`seal`): the caller supplies the sender's static secret and the IV;
  gatekeeper replicas, holding the same secrets, produce byte-identical envelopes.

The ``label`` separates protocols (a query key can never open a master-key envelope); the
``associated_data`` is authenticated but not encrypted. This module draws no randomness: the
ephemeral secret and IV come from the caller's entropy.
"""

from __future__ import annotations

import functools

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from khala.primitives.crypto.errors import EnvelopeError, EnvelopeErrorCode

X25519_KEY_LENGTH = 32
"""x25519 public and secret keys are 32 bytes."""
IV_LENGTH = 12
"""AES-GCM's standard 96-bit nonce."""
TAG_LENGTH = 16
"""AES-GCM's 128-bit authentication tag."""
HEADER_LENGTH = X25519_KEY_LENGTH + IV_LENGTH
"""Bytes before the ciphertext: the sender's public key and the IV."""
EPHEMERAL_ENTROPY_LENGTH = X25519_KEY_LENGTH + IV_LENGTH
"""Random bytes :func:`seal_ephemeral` consumes: a one-time secret key and an IV."""
_INFO_PREFIX = b"khala/envelope/v1/"


def x25519_public_key(secret: bytes) -> bytes:
    """Return the x25519 public key of a 32-byte secret.

    Raises:
        EnvelopeError: ``envelope.invalid_parameter`` when the secret is not 32 bytes.
    """
    _check_length("x25519 secret", secret, X25519_KEY_LENGTH)
    private = X25519PrivateKey.from_private_bytes(secret)
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_length(what: str, value: bytes, length: int) -> None:
    if len(value) != length:
        raise EnvelopeError(
            EnvelopeErrorCode.INVALID_PARAMETER, f"{what} must be {length} bytes, got {len(value)}"
        )


@functools.lru_cache(maxsize=16)
def _static_private(secret: bytes) -> X25519PrivateKey:
    """A recipient's key object, kept between calls.

    A worker opens every query with the same secret, and loading a key is most of the cost of
    an x25519 exchange; only recipients' long-lived secrets come here, never one-time keys.
    """
    return X25519PrivateKey.from_private_bytes(secret)


@functools.lru_cache(maxsize=16)
def _public_of(secret: bytes) -> bytes:
    return _static_private(secret).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _derive_key(own: X25519PrivateKey, peer_public: bytes, label: bytes, info_keys: bytes) -> bytes:
    try:
        shared = own.exchange(X25519PublicKey.from_public_bytes(peer_public))
    except ValueError:
        # An all-zero shared secret: the peer key is a low-order point.
        raise EnvelopeError(
            EnvelopeErrorCode.DECRYPTION_FAILED, "the peer x25519 key is not a usable public key"
        ) from None
    kdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO_PREFIX + label + info_keys
    )
    return kdf.derive(shared)


def seal(
    recipient_public: bytes,
    plaintext: bytes,
    *,
    label: bytes,
    sender_secret: bytes,
    iv: bytes,
    associated_data: bytes = b"",
) -> bytes:
    """Encrypt ``plaintext`` to ``recipient_public`` with a caller-chosen sender key and IV.

    The output is a pure function of the inputs. Never reuse an ``(sender_secret, iv)`` pair
    for two plaintexts to the same recipient: derive IVs from a counter or the content.

    Raises:
        EnvelopeError: ``envelope.invalid_parameter`` for keys or IVs of the wrong length.
    """
    _check_length("recipient public key", recipient_public, X25519_KEY_LENGTH)
    _check_length("IV", iv, IV_LENGTH)
    _check_length("sender secret", sender_secret, X25519_KEY_LENGTH)
    sender = X25519PrivateKey.from_private_bytes(sender_secret)
    sender_public = sender.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = _derive_key(sender, recipient_public, label, sender_public + recipient_public)
    ciphertext = AESGCM(key).encrypt(iv, plaintext, associated_data)
    return sender_public + iv + ciphertext


def seal_ephemeral(
    recipient_public: bytes,
    plaintext: bytes,
    *,
    label: bytes,
    entropy: bytes,
    associated_data: bytes = b"",
) -> bytes:
    """Encrypt to ``recipient_public`` with a one-time sender key taken from ``entropy``.

    Args:
        recipient_public: The recipient's x25519 public key.
        plaintext: The message.
        label: The protocol label, e.g. ``b"contract-command"``.
        entropy: 44 fresh random bytes (secret key ++ IV) from the caller's RNG.
        associated_data: Authenticated, unencrypted context.
    """
    _check_length("entropy", entropy, EPHEMERAL_ENTROPY_LENGTH)
    return seal(
        recipient_public,
        plaintext,
        label=label,
        sender_secret=entropy[:X25519_KEY_LENGTH],
        iv=entropy[X25519_KEY_LENGTH:],
        associated_data=associated_data,
    )


def open_envelope(
    recipient_secret: bytes, envelope: bytes, *, label: bytes, associated_data: bytes = b""
) -> bytes:
    """Decrypt an envelope sealed to the public key of ``recipient_secret``.

    Returns:
        The plaintext.

    Raises:
        EnvelopeError: ``envelope.malformed`` if too short; ``envelope.decryption_failed`` if
            the key, label or associated data differ or the bytes were altered.
    """
    _check_length("recipient secret", recipient_secret, X25519_KEY_LENGTH)
    if len(envelope) < HEADER_LENGTH + TAG_LENGTH:
        raise EnvelopeError(
            EnvelopeErrorCode.MALFORMED,
            f"envelope has {len(envelope)} bytes; at least {HEADER_LENGTH + TAG_LENGTH} needed",
        )
    sender_public = envelope[:X25519_KEY_LENGTH]
    iv = envelope[X25519_KEY_LENGTH:HEADER_LENGTH]
    recipient = _static_private(recipient_secret)
    recipient_public = _public_of(recipient_secret)
    key = _derive_key(recipient, sender_public, label, sender_public + recipient_public)
    try:
        return AESGCM(key).decrypt(iv, envelope[HEADER_LENGTH:], associated_data)
    except InvalidTag:
        raise EnvelopeError(
            EnvelopeErrorCode.DECRYPTION_FAILED,
            "envelope did not authenticate: wrong key, label or associated data, or tampered",
        ) from None
