"""Secret URIs and mnemonics, derived exactly as Substrate derives them.

A secret URI is ``[phrase | 0x<32-byte hex seed>][//hard | /soft]*[///password]``; with no
phrase the well-known development phrase is used, so ``//Alice`` is Alice's dev key. A BIP39
phrase becomes a 32-byte seed as in ``substrate-bip39``: PBKDF2-HMAC-SHA512 over the phrase's
*entropy* (not the phrase text) with salt ``"mnemonic" ++ password``, 2048 rounds, first 32
bytes. A junction's chain code is its number as u64 little-endian when it is a number, else its
SCALE-encoded text; codes longer than 32 bytes are blake2-256 hashed, shorter ones zero-padded.
ed25519 supports hard junctions only: ``blake2_256(SCALE(("Ed25519HDKD", seed, chain_code)))``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import sr25519
from mnemonic import Mnemonic

from khala.primitives.crypto.errors import CryptoError, CryptoErrorCode
from khala.primitives.crypto.keys import Keypair, KeyScheme, keypair_from_seed
from khala.primitives.hashing import blake2_256
from khala.primitives.scale.codec import STR

DEV_PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"
"""Substrate's public development mnemonic; ``//Alice`` and friends derive from it."""
PBKDF2_ROUNDS = 2048
"""BIP39's PBKDF2 iteration count, kept by substrate-bip39."""
ENTROPY_LENGTHS = (16, 20, 24, 28, 32)
"""Entropy sizes BIP39 defines: 12, 15, 18, 21 and 24 words."""
_URI = re.compile(r"^(?P<phrase>[^/]*)(?P<path>(//?[^/]+)*)(///(?P<password>.*))?$", re.DOTALL)
_JUNCTION = re.compile(r"/(/?)([^/]+)")
_U64_MAX = (1 << 64) - 1
_WORDS = Mnemonic("english")


@dataclass(frozen=True, slots=True)
class Junction:
    """One derivation step of a URI path."""

    chain_code: bytes
    """The 32-byte chain code derived from the junction text."""
    is_hard: bool
    """True for ``//`` (hard) junctions, False for ``/`` (soft) ones."""


def junction_chain_code(text: str) -> bytes:
    """Return the 32-byte chain code of a junction's text, as Substrate computes it."""
    if text.isdigit() and int(text) <= _U64_MAX:
        encoded = int(text).to_bytes(8, "little")
    else:
        encoded = STR.encode(text)
    if len(encoded) > 32:
        return blake2_256(encoded)
    return encoded.ljust(32, b"\0")


def mnemonic_to_seed(phrase: str, password: str = "") -> bytes:
    """Return the 32-byte mini secret of a BIP39 phrase, as substrate-bip39 derives it.

    Raises:
        CryptoError: ``crypto.invalid_mnemonic`` for unknown words or a bad checksum.
    """
    normalized = " ".join(phrase.split())
    try:
        entropy = bytes(_WORDS.to_entropy(normalized))
    except (ValueError, LookupError) as error:
        raise CryptoError(
            CryptoErrorCode.INVALID_MNEMONIC, f"not a valid BIP39 English mnemonic: {error}"
        ) from None
    salt = b"mnemonic" + password.encode()
    return hashlib.pbkdf2_hmac("sha512", entropy, salt, PBKDF2_ROUNDS)[:32]


def mnemonic_from_entropy(entropy: bytes) -> str:
    """Return the BIP39 English phrase of ``entropy`` (the caller supplies the randomness).

    Raises:
        CryptoError: ``crypto.invalid_entropy`` unless the entropy is 16 to 32 bytes in steps of 4.
    """
    if len(entropy) not in ENTROPY_LENGTHS:
        raise CryptoError(
            CryptoErrorCode.INVALID_ENTROPY,
            f"entropy must be one of {ENTROPY_LENGTHS} bytes, got {len(entropy)}",
        )
    phrase: str = _WORDS.to_mnemonic(entropy)
    return phrase


def parse_uri(uri: str) -> tuple[str, list[Junction], str | None]:
    """Split a secret URI into its phrase (or hex seed), junctions and password.

    Raises:
        CryptoError: ``crypto.invalid_uri`` when the URI does not match the grammar.
    """
    match = _URI.match(uri)
    if match is None:
        raise CryptoError(
            CryptoErrorCode.INVALID_URI,
            "secret URI must look like 'phrase//hard/soft///password' or '0x<seed>//hard'",
        )
    phrase = match.group("phrase").strip() or DEV_PHRASE
    junctions = [
        Junction(junction_chain_code(text), is_hard=bool(hard))
        for hard, text in _JUNCTION.findall(match.group("path"))
    ]
    return phrase, junctions, match.group("password")


def keypair_from_uri(uri: str, scheme: KeyScheme = KeyScheme.SR25519) -> Keypair:
    """Derive the key pair a secret URI names, e.g. ``//Alice`` or ``phrase//stash/0``.

    Raises:
        CryptoError: For a malformed URI, phrase or seed, or a soft junction with ed25519.
    """
    phrase, junctions, password = parse_uri(uri)
    if phrase.startswith("0x"):
        try:
            seed = bytes.fromhex(phrase[2:])
        except ValueError:
            raise CryptoError(CryptoErrorCode.INVALID_SEED, "seed is not valid hex") from None
    else:
        seed = mnemonic_to_seed(phrase, password or "")
    pair = keypair_from_seed(scheme, seed)
    for junction in junctions:
        pair = derive(pair, junction)
    return pair


def derive(pair: Keypair, junction: Junction) -> Keypair:
    """Apply one junction to a key pair.

    Raises:
        CryptoError: ``crypto.soft_derivation_unsupported`` for a soft ed25519 junction.
    """
    if pair.scheme is KeyScheme.SR25519:
        derive_keypair = sr25519.hard_derive_keypair if junction.is_hard else sr25519.derive_keypair
        # The bindings take an "extended" pair (chain code, public, secret) and a message
        # that schnorrkel mixes in; Substrate passes the junction as the chain code.
        _, public_key, secret = derive_keypair(
            (junction.chain_code, pair.public_key, pair.secret), b""
        )
        return Keypair(pair.scheme, bytes(public_key), bytes(secret))
    if not junction.is_hard:
        raise CryptoError(
            CryptoErrorCode.SOFT_DERIVATION_UNSUPPORTED,
            "ed25519 keys support only hard junctions: write //name instead of /name",
        )
    label = b"Ed25519HDKD"
    seed = blake2_256(bytes([len(label) << 2]) + label + pair.secret + junction.chain_code)
    return keypair_from_seed(pair.scheme, seed)
