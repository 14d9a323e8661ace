"""Keys from seeds, mnemonics and URIs derive exactly as Substrate derives them."""

from __future__ import annotations

import bip39
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from substrateinterface import Keypair as TheirKeypair

from khala.primitives.crypto import (
    DEV_PHRASE,
    CryptoError,
    CryptoErrorCode,
    KeyScheme,
    keypair_from_seed,
    keypair_from_uri,
    mnemonic_from_entropy,
    mnemonic_to_seed,
    verify,
)

ALICE_SR25519 = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
# Published ed25519 development keys (the GRANDPA authorities of Substrate dev chains).
ALICE_ED25519 = "88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee"
BOB_ED25519 = "d17c2d7823ebf260fd138f2d7e27d114c0145d968b5ff5006125f2414fadae69"


def test_alice_sr25519() -> None:
    """//Alice is the well-known development account."""
    assert keypair_from_uri("//Alice").public_key.hex() == ALICE_SR25519


@pytest.mark.parametrize(
    "uri",
    [
        "//Bob",
        "//Alice//stash",
        "//Alice/soft",
        "//Alice/soft//hard/0",
        "//18446744073709551615",
        "//" + "long-junction-" * 4,
        DEV_PHRASE + "//1/2//x",
        "legal winner thank year wave sausage worth useful legal winner thank yellow//x",
    ],
)
def test_sr25519_uris_equal_substrate_interface(uri: str) -> None:
    """Hard, soft, numeric, long and seed-based URIs match substrate-interface."""
    assert keypair_from_uri(uri).public_key == bytes(TheirKeypair.create_from_uri(uri).public_key)


def test_ed25519_dev_keys_and_hard_derivation() -> None:
    """ed25519 //Alice and //Bob equal the published dev keys (Ed25519HDKD hard junctions)."""
    assert keypair_from_uri("//Alice", KeyScheme.ED25519).public_key.hex() == ALICE_ED25519
    assert keypair_from_uri("//Bob", KeyScheme.ED25519).public_key.hex() == BOB_ED25519


def test_ed25519_soft_junction_is_refused() -> None:
    """ed25519 cannot derive softly; the error says to use //."""
    with pytest.raises(CryptoError) as caught:
        keypair_from_uri("//Alice/soft", KeyScheme.ED25519)
    assert caught.value.code is CryptoErrorCode.SOFT_DERIVATION_UNSUPPORTED


@pytest.mark.parametrize("password", ["", "secret", "pässwörd"])
def test_mnemonic_seed_with_password_equals_bip39_bindings(password: str) -> None:
    """The PBKDF2-over-entropy mini secret equals substrate-bip39's (py-bip39-bindings)."""
    expected = bytes(bip39.bip39_to_mini_secret(DEV_PHRASE, password))
    assert mnemonic_to_seed(DEV_PHRASE, password) == expected
    uri = f"{DEV_PHRASE}///{password}" if password else DEV_PHRASE
    derived = keypair_from_uri(uri).public_key
    assert derived == keypair_from_seed(KeyScheme.SR25519, expected).public_key


def test_hex_seed_uri_equals_substrate_interface_seed() -> None:
    """A 0x seed URI uses the seed directly, as substrate-interface's create_from_seed."""
    seed = "0x" + "11" * 32
    assert keypair_from_uri(seed).public_key == bytes(
        TheirKeypair.create_from_seed(seed).public_key
    )
    assert keypair_from_uri(seed + "//x") != keypair_from_uri(seed)


@settings(max_examples=20)
@given(st.sampled_from([16, 20, 24, 28, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)))
def test_generated_mnemonic_roundtrips(entropy: bytes) -> None:
    """A phrase made from entropy is valid BIP39 and yields substrate-bip39's seed."""
    phrase = mnemonic_from_entropy(entropy)
    assert len(phrase.split()) == len(entropy) * 3 // 4
    assert mnemonic_to_seed(phrase) == bytes(bip39.bip39_to_mini_secret(phrase, ""))


@pytest.mark.parametrize(
    ("uri", "code"),
    [
        (
            "bottom drive obey lake curtain smoke basket hold race lonely fit fit",
            "invalid_mnemonic",
        ),
        ("notaword//Alice", "invalid_mnemonic"),
        ("0x1234", "invalid_seed"),
        ("0xzz" + "00" * 31, "invalid_seed"),
    ],
)
def test_bad_uris_are_typed(uri: str, code: str) -> None:
    """Bad phrases and seeds raise typed errors naming the problem."""
    with pytest.raises(CryptoError) as caught:
        keypair_from_uri(uri)
    assert caught.value.code.value == f"crypto.{code}"


def test_bad_entropy_is_typed() -> None:
    """Entropy of a non-BIP39 size is refused."""
    with pytest.raises(CryptoError) as caught:
        mnemonic_from_entropy(b"\x00" * 15)
    assert caught.value.code is CryptoErrorCode.INVALID_ENTROPY


@pytest.mark.parametrize("scheme", list(KeyScheme))
def test_sign_and_verify(scheme: KeyScheme) -> None:
    """Signatures verify for the signer and message only; malformed input verifies False."""
    pair = keypair_from_uri("//Alice", scheme)
    signature = pair.sign(b"message")
    assert verify(scheme, pair.public_key, b"message", signature)
    assert not verify(scheme, pair.public_key, b"massage", signature)
    other = keypair_from_uri("//Bob", scheme).public_key
    assert not verify(scheme, other, b"message", signature)
    assert not verify(scheme, pair.public_key, b"message", signature[:10])
    assert pair.secret.hex() not in repr(pair)
    assert repr(pair.secret) not in repr(pair)


def test_sr25519_signature_verifies_with_substrate_interface() -> None:
    """Our sr25519 signature is accepted by an independent verifier."""
    pair = keypair_from_uri("//Alice")
    theirs = TheirKeypair(public_key=pair.public_key, ss58_format=42)
    assert theirs.verify(b"payload", pair.sign(b"payload"))
