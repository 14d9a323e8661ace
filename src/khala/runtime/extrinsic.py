"""Substrate's extrinsic format, version 4.

``extrinsic = compact(length) ++ version ++ [signer ++ signature ++ extra] ++ call`` where the
version byte is ``0x84`` for signed and ``0x04`` for unsigned extrinsics, ``extra`` is
``(era, compact nonce, compact tip)``, and the signature covers
``call ++ extra ++ spec_version ++ transaction_version ++ genesis_hash ++ era_block_hash``
(blake2-256 of it when longer than 256 bytes). The era block hash is the genesis hash for
immortal transactions, else the hash of the era's birth block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from khala.primitives.crypto import Keypair, KeyScheme
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import (
    U8,
    Codec,
    Compact,
    CompactU32,
    ScaleError,
    ScaleErrorCode,
    codec_of,
    decode_compact,
    encode_compact,
)
from khala.primitives.scale.base import TypeDef, TypeIdAllocator
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.outer import RuntimeCall
from khala.runtime.types import (
    AddressId,
    Ed25519Signature,
    MultiAddress,
    MultiSignature,
    Sr25519Signature,
)

SIGNED_VERSION = 0x84
"""Version byte of a signed v4 extrinsic (top bit: signed)."""
UNSIGNED_VERSION = 0x04
"""Version byte of an unsigned v4 extrinsic (an inherent)."""
PAYLOAD_HASH_THRESHOLD = 256
"""Signed payloads longer than this are hashed with blake2-256 before signing."""
MIN_PERIOD = 4
"""Shortest mortal era."""
MAX_PERIOD = 1 << 16
"""Longest mortal era."""


@dataclass(frozen=True, slots=True)
class Era:
    """How long a transaction stays valid: immortal (period 0) or ``period`` blocks."""

    period: int = 0
    """Era length, a power of two in 4..65536; 0 means immortal."""
    phase: int = 0
    """The birth block modulo the period."""

    @classmethod
    def mortal(cls, period: int, current: int) -> Era:
        """Return the era of about ``period`` blocks starting at block ``current``."""
        rounded = 1 << max(period - 1, 1).bit_length()
        rounded = min(max(rounded, MIN_PERIOD), MAX_PERIOD)
        quantize = max(rounded >> 12, 1)
        return cls(rounded, current % rounded // quantize * quantize)

    @property
    def is_immortal(self) -> bool:
        """Whether the transaction never expires."""
        return self.period == 0

    def birth(self, current: int) -> int:
        """Return the block the era started at, as seen from block ``current``."""
        if self.is_immortal:
            return 0
        return (max(current, self.phase) - self.phase) // self.period * self.period + self.phase

    def death(self, current: int) -> int:
        """Return the first block at which the transaction is no longer valid."""
        if self.is_immortal:
            return (1 << 64) - 1
        return self.birth(current) + self.period


class EraCodec(Codec[Era]):
    """Substrate's era encoding: ``0x00`` immortal, else two bytes of period and phase."""

    immutable_values = True

    name = "Era"

    def encode_to(self, value: Era, out: bytearray) -> None:
        """Append the era."""
        if value.is_immortal:
            out.append(0)
            return
        quantize = max(value.period >> 12, 1)
        low = min(15, max(1, (value.period & -value.period).bit_length() - 2))
        out += (low | ((value.phase // quantize) << 4)).to_bytes(2, "little")

    def decode_at(self, data: bytes, offset: int) -> tuple[Era, int]:
        """Read an era, rejecting impossible period/phase pairs."""
        if offset >= len(data):
            raise ScaleError(ScaleErrorCode.UNEXPECTED_END, "expected an era", offset=offset)
        if data[offset] == 0:
            return Era(), offset + 1
        if offset + 2 > len(data):
            raise ScaleError(
                ScaleErrorCode.UNEXPECTED_END, "mortal era needs 2 bytes", offset=offset
            )
        encoded = int.from_bytes(data[offset : offset + 2], "little")
        period = 2 << (encoded % 16)
        phase = (encoded >> 4) * max(period >> 12, 1)
        if period < MIN_PERIOD or phase >= period:
            raise ScaleError(ScaleErrorCode.WRONG_TYPE, "invalid mortal era", offset=offset)
        return Era(period, phase), offset + 2

    def type_def(self, registry: TypeIdAllocator) -> TypeDef:
        """Describe as Substrate does: ``Immortal`` then ``Mortal1(u8)`` .. ``Mortal255(u8)``."""
        byte: dict[str, Any] = {"type": registry.id_of(codec_of(U8)), "typeName": None, "docs": []}
        mortal = [
            {"name": f"Mortal{index}", "fields": [byte], "index": index, "docs": []}
            for index in range(1, 256)
        ]
        immortal = {"name": "Immortal", "fields": [], "index": 0, "docs": []}
        return {"variant": {"variants": [immortal, *mortal]}}

    def type_path(self) -> tuple[str, ...]:
        """Substrate's path, which clients special-case."""
        return ("sp_runtime", "generic", "era", "Era")


@dataclass(frozen=True, slots=True)
class SignedExtra:
    """The signed extensions a transaction carries: era, nonce and tip."""

    era: Annotated[Era, EraCodec()]
    """Mortality."""
    nonce: CompactU32
    """The sender's nonce."""
    tip: Compact
    """Extra payment to the block author, for priority."""


@dataclass(frozen=True, slots=True)
class ExtrinsicSignature:
    """The signed part of an extrinsic."""

    signer: MultiAddress
    """Who signed."""
    signature: MultiSignature
    """The signature over the signed payload."""
    extra: SignedExtra
    """Era, nonce and tip."""


@dataclass(frozen=True, slots=True)
class Extrinsic:
    """A decoded extrinsic."""

    signature: ExtrinsicSignature | None
    """The signature, or None for an unsigned inherent."""
    call: RuntimeCall
    """What to dispatch."""


_SIGNATURE: Codec[ExtrinsicSignature] = codec_of(ExtrinsicSignature)
_CALL: Codec[Any] = codec_of(RuntimeCall)
_EXTRA: Codec[SignedExtra] = codec_of(SignedExtra)


def encode_extrinsic(extrinsic: Extrinsic) -> bytes:
    """Return the full encoding, including the compact length prefix."""
    body = bytearray()
    if extrinsic.signature is None:
        body.append(UNSIGNED_VERSION)
    else:
        body.append(SIGNED_VERSION)
        _SIGNATURE.encode_to(extrinsic.signature, body)
    _CALL.encode_to(extrinsic.call, body)
    out = bytearray()
    encode_compact(len(body), out)
    return bytes(out + body)


def decode_extrinsic(raw: bytes) -> Extrinsic:
    """Decode an extrinsic with its length prefix.

    Raises:
        InvalidTransactionError: ``bad_format`` for framing, version or signature problems;
            ``call`` when the call is unknown or its arguments do not decode.
    """
    try:
        length, start = decode_compact(raw, 0)
    except ScaleError as error:
        raise _bad_format(f"bad length prefix: {error.message}") from None
    if start + length != len(raw):
        raise _bad_format(f"length prefix says {length} bytes but {len(raw) - start} follow")
    if length == 0:
        raise _bad_format("empty extrinsic")
    version = raw[start]
    offset = start + 1
    signature = None
    if version == SIGNED_VERSION:
        try:
            signature, offset = _SIGNATURE.decode_at(raw, offset)
        except ScaleError as error:
            raise _bad_format(f"bad signature section: {error.message}") from None
    elif version != UNSIGNED_VERSION:
        raise _bad_format(
            f"unsupported extrinsic version byte {version:#04x}; expected 0x84 or 0x04"
        )
    try:
        call, end = _CALL.decode_at(raw, offset)
    except ScaleError as error:
        raise InvalidTransactionError(
            InvalidTransactionCode.CALL, f"the call does not decode: {error.message}"
        ) from None
    if end != len(raw):
        raise _bad_format(f"{len(raw) - end} trailing bytes after the call")
    return Extrinsic(signature, call)


def _bad_format(message: str) -> InvalidTransactionError:
    return InvalidTransactionError(InvalidTransactionCode.BAD_FORMAT, message)


def signing_payload(
    call: RuntimeCall,
    extra: SignedExtra,
    *,
    spec_version: int,
    transaction_version: int,
    genesis_hash: bytes,
    era_block_hash: bytes,
) -> bytes:
    """Return the bytes a signer signs (hashed when over 256 bytes)."""
    payload = (
        _CALL.encode(call)
        + _EXTRA.encode(extra)
        + spec_version.to_bytes(4, "little")
        + transaction_version.to_bytes(4, "little")
        + genesis_hash
        + era_block_hash
    )
    return blake2_256(payload) if len(payload) > PAYLOAD_HASH_THRESHOLD else payload


def sign_extrinsic(
    pair: Keypair,
    call: RuntimeCall,
    extra: SignedExtra,
    *,
    spec_version: int,
    transaction_version: int,
    genesis_hash: bytes,
    era_block_hash: bytes,
) -> bytes:
    """Sign ``call`` with ``pair`` and return the encoded extrinsic."""
    payload = signing_payload(
        call,
        extra,
        spec_version=spec_version,
        transaction_version=transaction_version,
        genesis_hash=genesis_hash,
        era_block_hash=era_block_hash,
    )
    raw_signature = pair.sign(payload)
    signature: MultiSignature = (
        Sr25519Signature(raw_signature)
        if pair.scheme is KeyScheme.SR25519
        else Ed25519Signature(raw_signature)
    )
    return encode_extrinsic(
        Extrinsic(ExtrinsicSignature(AddressId(pair.public_key), signature, extra), call)
    )
