"""A worker's long-lived keys: created in the enclave once, sealed to disk, reused on restart.

The identity key (sr25519) signs everything the worker says; the ECDH key (x25519) receives
encrypted data. Both come from the enclave's randomness and are sealed together under the label
``khala/worker-keys``. A seal that does not open is an error naming the file: silently making a
new identity would orphan the worker's registration and stake.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from khala.enclave.backend import EnclaveBackend
from khala.primitives.crypto import Keypair, KeyScheme, keypair_from_seed, x25519_public_key
from khala.service.files import write_atomic

KEYS_FILE = "worker-keys.sealed"
"""File name of the sealed keys under the worker's base path."""
SEAL_LABEL = b"khala/worker-keys"
"""Sealing label of the key file."""


@dataclass(frozen=True, slots=True)
class WorkerKeys:
    """The worker's identity and ECDH keys."""

    identity: Keypair
    """sr25519 identity: the worker's public key on chain."""
    ecdh_secret: bytes
    """x25519 secret."""

    @property
    def ecdh_public(self) -> bytes:
        """x25519 public key, published in the registration."""
        return x25519_public_key(self.ecdh_secret)


def load_or_create_keys(backend: EnclaveBackend, base_path: Path) -> tuple[WorkerKeys, bool]:
    """Unseal the worker's keys, or create and seal new ones; returns (keys, created).

    Raises:
        EnclaveError: ``enclave.seal_corrupt`` when the sealed file does not open.
    """
    path = base_path / KEYS_FILE
    if path.exists():
        material = backend.unseal(path.read_bytes(), SEAL_LABEL)
        return _keys(material), False
    material = backend.random(64)
    write_atomic(path, backend.seal(material, SEAL_LABEL))
    return _keys(material), True


def _keys(material: bytes) -> WorkerKeys:
    return WorkerKeys(keypair_from_seed(KeyScheme.SR25519, material[:32]), material[32:64])
