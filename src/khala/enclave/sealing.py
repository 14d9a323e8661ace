"""Sealing with AES-256-GCM under a key derived from a backend secret.

Format: ``nonce (12) ‖ ciphertext ‖ tag``; the label is authenticated as associated data, so
data sealed for one purpose cannot be opened as another.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from khala.enclave.backend import EnclaveError, EnclaveErrorCode

NONCE_LENGTH = 12
"""AES-GCM nonce size."""


def sealing_key(secret: bytes, context: bytes) -> bytes:
    """Derive the 32-byte sealing key from a backend secret and the enclave's identity."""
    return HKDF(hashes.SHA256(), 32, salt=None, info=b"khala/seal/v1/" + context).derive(secret)


def seal(key: bytes, plaintext: bytes, label: bytes, nonce: bytes) -> bytes:
    """Encrypt ``plaintext`` with a fresh ``nonce``."""
    return nonce + AESGCM(key).encrypt(nonce, plaintext, label)


def unseal(key: bytes, sealed: bytes, label: bytes, where: str) -> bytes:
    """Decrypt sealed data.

    Raises:
        EnclaveError: ``enclave.seal_corrupt`` naming ``where`` and what to do.
    """
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_LENGTH], sealed[NONCE_LENGTH:], label)
    except (InvalidTag, ValueError):
        raise EnclaveError(
            EnclaveErrorCode.SEAL_CORRUPT,
            f"sealed data in {where} does not open: it is corrupt or was sealed by another "
            "enclave or machine; restore it from a backup (removing it creates a NEW identity)",
        ) from None
