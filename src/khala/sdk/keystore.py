"""A keystore: named keys, encrypted at rest, usable wherever a secret URI is accepted.

Each key is one JSON file ``NAME.json`` (mode 0600) in ``$KHALA_KEYSTORE``, else
``$XDG_DATA_HOME/khala/keystore`` (``~/.local/share/khala/keystore``). The secret (a URI or
mnemonic) is encrypted with AES-256-GCM under a key derived from the passphrase with scrypt
(``cryptography``'s implementations; n = 2^15, r = 8, p = 1, a random 16-byte salt), with the
name, scheme and public key as associated data, so a file cannot be renamed or re-labelled
unnoticed. Listing needs no passphrase: the public key and address are stored in clear.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from khala.errors import KhalaError
from khala.primitives.crypto import Keypair, KeyScheme, keypair_from_uri
from khala.primitives.ss58 import ss58_encode
from khala.service.files import write_atomic

KEYSTORE_ENV = "KHALA_KEYSTORE"
"""Environment variable naming the keystore directory."""
SCRYPT_N = 2**15
"""scrypt's cost: about 0.1 s and 32 MiB per unlock, so guessing passphrases is slow."""
SCRYPT_R = 8
"""scrypt's block size (the standard value)."""
SCRYPT_P = 1
"""scrypt's parallelism (the standard value)."""
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
"""Key names: letters, digits, ``_ . -``; never a path, never a secret URI."""
VERSION = 1
"""File format version."""


class KeystoreErrorCode(StrEnum):
    """Codes of :class:`KeystoreError`."""

    INVALID_NAME = "keystore.invalid_name"
    """Names are 1-64 letters, digits, ``_``, ``.`` or ``-``, starting with a letter or digit."""
    EXISTS = "keystore.exists"
    """A key with this name is stored already; remove it or choose another name."""
    NOT_FOUND = "keystore.not_found"
    """No key with this name (``khala key list`` shows them)."""
    WRONG_PASSPHRASE = "keystore.wrong_passphrase"  # noqa: S105 - an error code
    """The passphrase does not open the key (or the file was altered)."""
    CORRUPT = "keystore.corrupt"
    """The key file is not a keystore entry."""


class KeystoreError(KhalaError):
    """A keystore operation failed."""


@dataclass(frozen=True, slots=True)
class StoredKey:
    """What a keystore entry shows without its passphrase."""

    name: str
    """Its name."""
    scheme: KeyScheme
    """sr25519 or ed25519."""
    public_key: bytes
    """Its public key."""

    @property
    def address(self) -> str:
        """Its SS58 address (khala's prefix)."""
        return ss58_encode(self.public_key)


def keystore_dir() -> Path:
    """The keystore directory (it need not exist yet)."""
    configured = os.environ.get(KEYSTORE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "khala" / "keystore"


def _path(name: str) -> Path:
    if not NAME_PATTERN.match(name):
        raise KeystoreError(
            KeystoreErrorCode.INVALID_NAME,
            f"{name!r} is not a key name: use 1-64 letters, digits, '_', '.' or '-'",
        )
    return keystore_dir() / f"{name}.json"


def has(name: str) -> bool:
    """Whether a key named ``name`` is stored (False for anything that is not a name)."""
    return bool(NAME_PATTERN.match(name)) and (keystore_dir() / f"{name}.json").exists()


def _cipher(passphrase: str, salt: bytes) -> AESGCM:
    kdf = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return AESGCM(kdf.derive(passphrase.encode()))


def _associated(name: str, scheme: KeyScheme, public_key: bytes) -> bytes:
    return f"khala-keystore/{VERSION}/{name}/{scheme.value}/{public_key.hex()}".encode()


def add(
    name: str, secret: str, passphrase: str, scheme: KeyScheme = KeyScheme.SR25519
) -> StoredKey:
    """Store ``secret`` (a URI or mnemonic) as ``name``, encrypted with ``passphrase``.

    Raises:
        KeystoreError: For a bad name or one already taken.
        CryptoError: When ``secret`` is not a valid secret URI or mnemonic.
    """
    path = _path(name)
    if path.exists():
        raise KeystoreError(KeystoreErrorCode.EXISTS, f"a key named {name!r} exists ({path})")
    pair = keypair_from_uri(secret, scheme)
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = _cipher(passphrase, salt).encrypt(
        nonce, secret.encode(), _associated(name, scheme, pair.public_key)
    )
    entry = {
        "version": VERSION,
        "name": name,
        "scheme": scheme.value,
        "public_key": "0x" + pair.public_key.hex(),
        "address": ss58_encode(pair.public_key),
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": salt.hex()},
        "cipher": {"name": "aes-256-gcm", "nonce": nonce.hex(), "ciphertext": sealed.hex()},
    }
    write_atomic(path, json.dumps(entry, indent=2).encode())
    return StoredKey(name, scheme, pair.public_key)


def _read(name: str) -> dict[str, object]:
    path = _path(name)
    try:
        entry = json.loads(path.read_text())
    except FileNotFoundError:
        raise KeystoreError(
            KeystoreErrorCode.NOT_FOUND, f"no key named {name!r}; `khala key list` shows them"
        ) from None
    except (OSError, ValueError) as error:
        raise KeystoreError(KeystoreErrorCode.CORRUPT, f"{path}: {error}") from None
    if not isinstance(entry, dict) or entry.get("version") != VERSION:
        raise KeystoreError(KeystoreErrorCode.CORRUPT, f"{path} is not a keystore entry")
    return entry


def describe(name: str) -> StoredKey:
    """The stored key's public part (no passphrase needed).

    Raises:
        KeystoreError: When there is no such key or its file is damaged.
    """
    entry = _read(name)
    try:
        return StoredKey(
            name, KeyScheme(str(entry["scheme"])), bytes.fromhex(str(entry["public_key"])[2:])
        )
    except (KeyError, ValueError):
        raise KeystoreError(KeystoreErrorCode.CORRUPT, f"{name}.json is damaged") from None


def names() -> list[StoredKey]:
    """Every stored key, by name."""
    directory = keystore_dir()
    if not directory.is_dir():
        return []
    return [describe(path.stem) for path in sorted(directory.glob("*.json"))]


def load(name: str, passphrase: str) -> Keypair:
    """Unlock a stored key.

    Raises:
        KeystoreError: ``keystore.wrong_passphrase`` when the passphrase does not open it, or
            the file is missing or damaged.
    """
    entry = _read(name)
    stored = describe(name)
    kdf, cipher = entry.get("kdf"), entry.get("cipher")
    if not isinstance(kdf, dict) or not isinstance(cipher, dict):
        raise KeystoreError(KeystoreErrorCode.CORRUPT, f"{name}.json is damaged")
    try:
        secret = _cipher(passphrase, bytes.fromhex(kdf["salt"])).decrypt(
            bytes.fromhex(cipher["nonce"]),
            bytes.fromhex(cipher["ciphertext"]),
            _associated(name, stored.scheme, stored.public_key),
        )
    except InvalidTag:
        raise KeystoreError(
            KeystoreErrorCode.WRONG_PASSPHRASE, f"the passphrase does not open {name!r}"
        ) from None
    except (KeyError, ValueError):
        raise KeystoreError(KeystoreErrorCode.CORRUPT, f"{name}.json is damaged") from None
    return keypair_from_uri(secret.decode(), stored.scheme)
