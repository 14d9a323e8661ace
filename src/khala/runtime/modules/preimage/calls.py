"""Preimage calls and the lookup other modules use."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.hashing import blake2_256
from khala.primitives.scale import H256, ScaleEnum, variant
from khala.runtime.context import Context, ensure_signed
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.balances import currency
from khala.runtime.modules.preimage import state as st
from khala.runtime.modules.preimage.constants import (
    BASE_DEPOSIT,
    BYTE_DEPOSIT,
    CALL_WEIGHT,
    MAX_SIZE,
)
from khala.runtime.modules.preimage.errors import PreimageErrorCode, preimage_error
from khala.runtime.modules.preimage.events import Cleared, Noted
from khala.runtime.modules.preimage.types import PreimageStatus
from khala.runtime.state import State

Preimage = bytes
"""A preimage's bytes (an alias, because FRAME names the field ``bytes``)."""


class Call(ScaleEnum):
    """A preimage call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class NotePreimage(Call):
    """Store ``bytes`` (a call's encoding) and reserve the deposit for it."""

    bytes: Preimage
    """The preimage."""


@variant(1)
@dataclass(frozen=True, slots=True)
class UnnotePreimage(Call):
    """Remove a preimage you noted and get its deposit back."""

    hash: H256
    """Its blake2-256 hash."""


def deposit_for(length: int) -> int:
    """The deposit for a preimage of ``length`` bytes."""
    return BASE_DEPOSIT + BYTE_DEPOSIT * length


def fetch(state: State, digest: bytes) -> bytes | None:
    """The preimage of ``digest``, if noted (democracy looks calls up with it)."""
    return st.PREIMAGE_FOR.get(state, digest)


def is_noted(state: State, digest: bytes) -> bool:
    """Whether a preimage of ``digest`` is stored."""
    return st.STATUS_FOR.get(state, digest) is not None


def note_preimage(state: State, ctx: Context, args: NotePreimage) -> None:
    """Store the bytes under their hash, reserving the deposit."""
    who = ensure_signed(ctx)
    data = bytes(args.bytes)
    if len(data) > MAX_SIZE:
        raise preimage_error(
            PreimageErrorCode.TOO_BIG, f"{len(data)} bytes; a preimage is at most {MAX_SIZE}"
        )
    digest = blake2_256(data)
    if is_noted(state, digest):
        raise preimage_error(
            PreimageErrorCode.ALREADY_NOTED, f"0x{digest.hex()} is already noted; propose it"
        )
    deposit = deposit_for(len(data))
    currency.reserve(state, ctx, who, deposit)
    st.STATUS_FOR.insert(state, digest, PreimageStatus(who, deposit, len(data)))
    st.PREIMAGE_FOR.insert(state, digest, data)
    ctx.emit(Noted(digest))


def unnote_preimage(state: State, ctx: Context, args: UnnotePreimage) -> None:
    """Remove a preimage the caller noted; its deposit is unreserved."""
    who = ensure_signed(ctx)
    digest = bytes(args.hash)
    status = st.STATUS_FOR.get(state, digest)
    if status is None:
        raise preimage_error(PreimageErrorCode.NOT_NOTED, f"no preimage has hash 0x{digest.hex()}")
    if bytes(status.depositor) != who:
        raise preimage_error(
            PreimageErrorCode.NOT_AUTHORIZED, "only the account that noted it may remove it"
        )
    currency.unreserve(state, ctx, who, status.deposit)
    st.STATUS_FOR.remove(state, digest)
    st.PREIMAGE_FOR.remove(state, digest)
    ctx.emit(Cleared(digest))


CALLS: dict[type, CallSpec] = {
    NotePreimage: CallSpec(note_preimage, CALL_WEIGHT),
    UnnotePreimage: CallSpec(unnote_preimage, CALL_WEIGHT),
}
"""Handlers of preimage calls."""
