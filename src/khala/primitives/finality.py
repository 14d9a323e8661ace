"""Finality justifications: signatures of at least 2/3 of the authority set over a block.

A justification says "block ``hash`` at ``number`` is final under authority set ``set_id``":
each signer signs ``SCALE((hash, number u32, set_id u64))`` with its ed25519 finality key. The
dev engine's justification is the 1-of-1 case; a clustered engine produces the same format, so
light clients never depend on the engine. Justifications are stored and served with blocks
under the engine id ``FRNK`` (as GRANDPA's), encoded as :class:`Justification`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from khala.errors import KhalaError
from khala.primitives.crypto import Keypair, KeyScheme, verify
from khala.primitives.scale import H256, H512, U32, U64, codec_of

JUSTIFICATION_ENGINE_ID = b"FRNK"
"""Engine id under which justifications are served (GRANDPA's, so tools recognise them)."""


class FinalityErrorCode(StrEnum):
    """Codes of :class:`FinalityError`."""

    WRONG_TARGET = "finality.wrong_target"
    """The justification is for another block or authority set."""
    NOT_ENOUGH_SIGNATURES = "finality.not_enough_signatures"
    """Fewer than 2/3 of the authorities signed validly."""


class FinalityError(KhalaError):
    """A justification does not prove finality."""


@dataclass(frozen=True, slots=True)
class FinalitySignature:
    """One authority's signature."""

    authority: H256
    """The signer's ed25519 finality key."""
    signature: H512
    """Its signature over the finality message."""


@dataclass(frozen=True, slots=True)
class Justification:
    """Proof that a block is final."""

    block_hash: H256
    """The finalized block's hash."""
    number: U32
    """Its height."""
    set_id: U64
    """The authority set that finalized it."""
    signatures: list[FinalitySignature]
    """The authorities' signatures."""


def finality_threshold(authorities: int) -> int:
    """Signatures that finalize a block under a set of ``authorities``: more than 2/3.

    GRANDPA's ``n − ⌊(n − 1)/3⌋``: 1 of 1, 3 of 3, 3 of 4, 5 of 7.
    """
    return authorities - (authorities - 1) // 3 if authorities else 1


def finality_message(block_hash: bytes, number: int, set_id: int) -> bytes:
    """Return the bytes every authority signs: ``SCALE((hash, number, set_id))``."""
    message: bytes = codec_of(tuple[H256, U32, U64]).encode((block_hash, number, set_id))
    return message


def sign_finality(
    keys: list[Keypair], block_hash: bytes, number: int, set_id: int
) -> Justification:
    """Return the justification signed by ``keys`` (ed25519 finality keys)."""
    message = finality_message(block_hash, number, set_id)
    signatures = [FinalitySignature(key.public_key, key.sign(message)) for key in keys]
    return Justification(block_hash, number, set_id, signatures)


def verify_justification(
    justification: Justification,
    *,
    block_hash: bytes,
    number: int,
    set_id: int,
    authorities: list[bytes],
) -> None:
    """Check a justification: right target, and valid signatures of > 2/3 of distinct authorities.

    Raises:
        FinalityError: When it is for another target or has too few valid signatures.
    """
    if (justification.block_hash, justification.number, justification.set_id) != (
        block_hash,
        number,
        set_id,
    ):
        raise FinalityError(
            FinalityErrorCode.WRONG_TARGET, f"justification is not for block #{number} set {set_id}"
        )
    message = finality_message(block_hash, number, set_id)
    allowed = set(authorities)
    signers = {
        item.authority
        for item in justification.signatures
        if item.authority in allowed
        and verify(KeyScheme.ED25519, item.authority, message, item.signature)
    }
    needed = finality_threshold(len(allowed))
    if len(signers) < needed:
        raise FinalityError(
            FinalityErrorCode.NOT_ENOUGH_SIGNATURES,
            f"{len(signers)} valid signatures of {len(allowed)} authorities; {needed} needed",
        )
