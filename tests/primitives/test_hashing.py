"""Hashers and storage keys match Substrate's (substrate-interface as the oracle)."""

from __future__ import annotations

import pytest
from substrateinterface.utils.hasher import blake2_128_concat as their_blake2_128_concat
from substrateinterface.utils.hasher import two_x64_concat as their_twox64_concat
from substrateinterface.utils.hasher import xxh128 as their_xxh128

from khala.primitives.crypto import keypair_from_uri
from khala.primitives.hashing import (
    HashingError,
    HashingErrorCode,
    StorageHasher,
    blake2_256,
    hash_key,
    storage_key,
    storage_prefix,
    twox128,
)

ALICE = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")


def test_known_prefixes() -> None:
    """twox128 of well-known names equals the published storage prefixes."""
    assert twox128(b"System").hex() == "26aa394eea5630e07c48ae0c9558cef7"
    assert storage_prefix("System", "Number").hex() == (
        "26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac"
    )
    assert blake2_256(b"\x00").hex() == (
        "03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314"
    )


def test_alice_system_account_key_equals_substrate_interface() -> None:
    """The System.Account key of //Alice equals the key substrate-interface builds."""
    alice = keypair_from_uri("//Alice").public_key
    assert alice == ALICE
    ours = storage_key("System", "Account", (StorageHasher.BLAKE2_128_CONCAT, alice))
    theirs = their_xxh128(b"System") + their_xxh128(b"Account") + their_blake2_128_concat(alice)
    assert ours == bytes(theirs)
    assert ours.hex().startswith("26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9")


@pytest.mark.parametrize("key", [b"", b"\x01", ALICE, bytes(range(100))])
def test_concat_hashers_equal_oracle(key: bytes) -> None:
    """blake2_128_concat and twox64_concat equal substrate-interface's hashers."""
    assert hash_key(StorageHasher.BLAKE2_128_CONCAT, key) == bytes(their_blake2_128_concat(key))
    assert hash_key("Twox64Concat", key) == bytes(their_twox64_concat(key))
    assert hash_key(StorageHasher.IDENTITY, key) == key


def test_unknown_hasher_is_typed() -> None:
    """An unknown hasher name raises a typed error listing the valid ones."""
    with pytest.raises(HashingError) as caught:
        hash_key("Sha256", b"")
    assert caught.value.code is HashingErrorCode.UNKNOWN_HASHER
    assert "Blake2_128Concat" in caught.value.message
