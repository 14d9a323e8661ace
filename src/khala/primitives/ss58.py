"""SS58 addresses: base58 of ``prefix ++ public key ++ checksum``.

The checksum is the start of ``blake2b_512(b"SS58PRE" ++ prefix ++ key)``: one byte for short
account indices, two bytes for 32- and 33-byte keys. Prefixes below 64 take one byte; 64 to
16383 take two, in the bit layout Substrate's ``Ss58Codec`` uses. khala's prefix is 30 (as
Phala's Khala network), the generic Substrate prefix is 42.
"""

from __future__ import annotations

from enum import StrEnum

from khala.errors import KhalaError
from khala.primitives.hashing import blake2_512

KHALA_PREFIX = 30
"""The SS58 prefix of the Khala network: addresses start with a 4."""
GENERIC_PREFIX = 42
"""Substrate's generic prefix: addresses start with a 5."""
MAX_PREFIX = 16383
"""The largest prefix the two-byte form can carry (14 bits)."""
RESERVED_PREFIXES = frozenset({46, 47})
"""Prefixes reserved by the SS58 registry and rejected by Substrate."""
_CHECKSUM_PREAMBLE = b"SS58PRE"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ALPHABET_INDEX = {character: index for index, character in enumerate(_ALPHABET)}
_CHECKSUM_LENGTHS = {1: 1, 2: 1, 4: 1, 8: 1, 32: 2, 33: 2}
"""Checksum length by payload length: account indices (1-8 bytes) and keys (32, 33)."""


class Ss58ErrorCode(StrEnum):
    """Codes of :class:`Ss58Error`."""

    INVALID_CHARACTER = "ss58.invalid_character"
    """The text contains a character outside the base58 alphabet."""
    INVALID_LENGTH = "ss58.invalid_length"
    """The decoded bytes are not prefix + a 1, 2, 4, 8, 32 or 33 byte payload + checksum."""
    INVALID_CHECKSUM = "ss58.invalid_checksum"
    """The checksum does not match: a typo or a truncated address."""
    INVALID_PREFIX = "ss58.invalid_prefix"
    """The prefix is reserved, out of range, or malformed."""
    WRONG_NETWORK = "ss58.wrong_network"
    """The address is valid but belongs to another network than the one expected."""


class Ss58Error(KhalaError):
    """An SS58 address could not be encoded or decoded."""


def base58_encode(raw: bytes) -> str:
    """Encode bytes in base58 (Bitcoin alphabet), keeping leading zero bytes as ``1``."""
    number = int.from_bytes(raw, "big")
    characters: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        characters.append(_ALPHABET[remainder])
    leading_zeros = len(raw) - len(raw.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(characters))


def base58_decode(text: str) -> bytes:
    """Decode base58 text.

    Raises:
        Ss58Error: ``ss58.invalid_character`` naming the first bad character and its position.
    """
    number = 0
    for position, character in enumerate(text):
        digit = _ALPHABET_INDEX.get(character)
        if digit is None:
            raise Ss58Error(
                Ss58ErrorCode.INVALID_CHARACTER,
                f"{character!r} at position {position} is not a base58 character",
            )
        number = number * 58 + digit
    leading_ones = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_ones + body


def _encode_prefix(prefix: int) -> bytes:
    if not 0 <= prefix <= MAX_PREFIX or prefix in RESERVED_PREFIXES:
        raise Ss58Error(
            Ss58ErrorCode.INVALID_PREFIX,
            f"prefix {prefix} is reserved or outside 0..{MAX_PREFIX}",
        )
    if prefix < 64:
        return bytes([prefix])
    first = ((prefix & 0b1111_1100) >> 2) | 0b0100_0000
    second = (prefix >> 8) | ((prefix & 0b11) << 6)
    return bytes([first, second])


def _checksum(body: bytes, length: int) -> bytes:
    return blake2_512(_CHECKSUM_PREAMBLE + body)[:length]


def ss58_encode(public_key: bytes, prefix: int = KHALA_PREFIX) -> str:
    """Encode a public key (or account index) as an SS58 address.

    Args:
        public_key: 32 or 33 bytes for keys; 1, 2, 4 or 8 bytes for account indices.
        prefix: The network prefix, 30 for khala.

    Raises:
        Ss58Error: ``ss58.invalid_length`` or ``ss58.invalid_prefix``.
    """
    checksum_length = _CHECKSUM_LENGTHS.get(len(public_key))
    if checksum_length is None:
        raise Ss58Error(
            Ss58ErrorCode.INVALID_LENGTH,
            f"cannot encode {len(public_key)} bytes; SS58 carries 1, 2, 4, 8, 32 or 33 bytes",
        )
    body = _encode_prefix(prefix) + public_key
    return base58_encode(body + _checksum(body, checksum_length))


def ss58_decode(address: str, expected_prefix: int | None = None) -> tuple[int, bytes]:
    """Decode an SS58 address into its prefix and payload.

    Args:
        address: The address text.
        expected_prefix: When given, an address of any other network is rejected.

    Returns:
        ``(prefix, public_key)``.

    Raises:
        Ss58Error: With the code naming what is wrong (character, length, checksum, prefix,
            network).
    """
    raw = base58_decode(address)
    if not raw:
        raise Ss58Error(Ss58ErrorCode.INVALID_LENGTH, "an empty string is not an address")
    if raw[0] < 64:
        prefix, prefix_length = raw[0], 1
    elif raw[0] < 128:
        if len(raw) < 2:
            raise Ss58Error(Ss58ErrorCode.INVALID_LENGTH, "address ends inside its prefix")
        lower = ((raw[0] << 2) | (raw[1] >> 6)) & 0xFF
        upper = raw[1] & 0b0011_1111
        prefix, prefix_length = lower | (upper << 8), 2
    else:
        raise Ss58Error(Ss58ErrorCode.INVALID_PREFIX, f"first byte {raw[0]} is not a valid prefix")
    if prefix in RESERVED_PREFIXES:
        raise Ss58Error(Ss58ErrorCode.INVALID_PREFIX, f"prefix {prefix} is reserved")
    payload_length = None
    for candidate, checksum_length in _CHECKSUM_LENGTHS.items():
        if len(raw) == prefix_length + candidate + checksum_length:
            payload_length = candidate
            break
    if payload_length is None:
        raise Ss58Error(
            Ss58ErrorCode.INVALID_LENGTH,
            f"decoded {len(raw)} bytes, which is no valid prefix + payload + checksum length",
        )
    split = prefix_length + payload_length
    body, checksum = raw[:split], raw[split:]
    if _checksum(body, len(checksum)) != checksum:
        raise Ss58Error(
            Ss58ErrorCode.INVALID_CHECKSUM,
            f"checksum of {address!r} does not match: check for typos",
        )
    if expected_prefix is not None and prefix != expected_prefix:
        raise Ss58Error(
            Ss58ErrorCode.WRONG_NETWORK,
            f"address has prefix {prefix} but this network uses {expected_prefix}",
        )
    return prefix, body[prefix_length:]
