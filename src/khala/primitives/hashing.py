"""Hash functions and Substrate storage-key construction.

Substrate uses blake2b with short outputs for content hashes and xxHash64 ("twox") for
storage prefixes. A storage key is ``twox128(module) ++ twox128(item) ++ hasher(key)`` where
the key hasher is chosen per storage item; the ``*_concat`` hashers append the raw key so that
keys can be iterated and recovered from storage.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from enum import StrEnum

import xxhash
from Crypto.Hash import keccak as _keccak

from khala.errors import KhalaError


def blake2_128(data: bytes) -> bytes:
    """Return the 16-byte blake2b digest of ``data``."""
    return hashlib.blake2b(data, digest_size=16).digest()


def blake2_256(data: bytes) -> bytes:
    """Return the 32-byte blake2b digest of ``data`` (block, extrinsic and trie hashes)."""
    return hashlib.blake2b(data, digest_size=32).digest()


def blake2_512(data: bytes) -> bytes:
    """Return the 64-byte blake2b digest of ``data`` (used by the SS58 checksum)."""
    return hashlib.blake2b(data, digest_size=64).digest()


def keccak_256(data: bytes) -> bytes:
    """Return Ethereum's Keccak-256 of ``data`` (pre-standard padding, not SHA3-256).

    Contracts call it through ``seal0.hash_keccak_256`` (Ethereum signatures and addresses).
    """
    return _keccak.new(data=data, digest_bits=256).digest()


def twox64(data: bytes) -> bytes:
    """Return Substrate's ``twox_64``: xxHash64 with seed 0, little-endian."""
    return xxhash.xxh64_intdigest(data, seed=0).to_bytes(8, "little")


def twox128(data: bytes) -> bytes:
    """Return Substrate's ``twox_128``: xxHash64 with seeds 0 and 1, concatenated."""
    return xxhash.xxh64_intdigest(data, seed=0).to_bytes(8, "little") + xxhash.xxh64_intdigest(
        data, seed=1
    ).to_bytes(8, "little")


def twox256(data: bytes) -> bytes:
    """Return Substrate's ``twox_256``: xxHash64 with seeds 0 to 3, concatenated."""
    return b"".join(
        xxhash.xxh64_intdigest(data, seed=seed).to_bytes(8, "little") for seed in range(4)
    )


class HashingErrorCode(StrEnum):
    """Codes of :class:`HashingError`."""

    UNKNOWN_HASHER = "hashing.unknown_hasher"
    """A storage hasher name is not one of :class:`StorageHasher`'s members."""


class HashingError(KhalaError):
    """A storage-key request named something that does not exist."""


class StorageHasher(StrEnum):
    """The key hashers a storage map may use, named as in FRAME metadata."""

    BLAKE2_128_CONCAT = "Blake2_128Concat"
    """``blake2_128(key) ++ key``: safe against chosen keys and iterable; the default choice."""
    TWOX64_CONCAT = "Twox64Concat"
    """``twox64(key) ++ key``: cheaper, for keys an attacker cannot choose."""
    IDENTITY = "Identity"
    """The key itself: for keys that are already hashes."""
    BLAKE2_128 = "Blake2_128"
    """``blake2_128(key)``: opaque, not iterable back to the key."""
    BLAKE2_256 = "Blake2_256"
    """``blake2_256(key)``: opaque, not iterable back to the key."""
    TWOX128 = "Twox128"
    """``twox128(key)``: opaque, used for prefixes."""
    TWOX256 = "Twox256"
    """``twox256(key)``: opaque."""


_HASHERS: dict[StorageHasher, Callable[[bytes], bytes]] = {
    StorageHasher.BLAKE2_128_CONCAT: lambda key: blake2_128(key) + key,
    StorageHasher.TWOX64_CONCAT: lambda key: twox64(key) + key,
    StorageHasher.IDENTITY: lambda key: key,
    StorageHasher.BLAKE2_128: blake2_128,
    StorageHasher.BLAKE2_256: blake2_256,
    StorageHasher.TWOX128: twox128,
    StorageHasher.TWOX256: twox256,
}


def hash_key(hasher: StorageHasher | str, key: bytes) -> bytes:
    """Apply one storage hasher to an encoded key.

    Args:
        hasher: A :class:`StorageHasher` or its metadata name, e.g. ``"Blake2_128Concat"``.
        key: The SCALE-encoded key.

    Returns:
        The hashed key part of a storage key.

    Raises:
        HashingError: ``hashing.unknown_hasher`` when the name is not a known hasher.
    """
    try:
        member = StorageHasher(hasher)
    except ValueError:
        names = ", ".join(member.value for member in StorageHasher)
        raise HashingError(
            HashingErrorCode.UNKNOWN_HASHER,
            f"unknown storage hasher {hasher!r}; use one of {names}",
        ) from None
    return _HASHERS[member](key)


def storage_prefix(module: str, item: str) -> bytes:
    """Return ``twox128(module) ++ twox128(item)``, the 32-byte prefix of a storage item."""
    return twox128(module.encode()) + twox128(item.encode())


def storage_key(module: str, item: str, *keys: tuple[StorageHasher | str, bytes]) -> bytes:
    """Build the full storage key of a value, map or n-map entry.

    Args:
        module: The module's PascalCase name, e.g. ``"System"``.
        item: The storage item's name, e.g. ``"Account"``.
        *keys: For maps, one ``(hasher, encoded_key)`` pair per key, in declaration order.

    Returns:
        ``twox128(module) ++ twox128(item) ++ hasher1(key1) ++ ...``.

    Raises:
        HashingError: When a hasher name is unknown.
    """
    return storage_prefix(module, item) + b"".join(hash_key(hasher, key) for hasher, key in keys)
