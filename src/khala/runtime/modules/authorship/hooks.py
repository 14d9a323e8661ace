"""Authorship's hooks: find the slot's author, record the slot; the genesis authority set."""

from __future__ import annotations

from typing import Any

from khala.primitives.scale import U64, ScaleError, codec_of
from khala.primitives.types import Header, PreRuntimeDigest
from khala.runtime.context import Context
from khala.runtime.modules.authorship.constants import ENGINE_ID
from khala.runtime.modules.authorship.errors import AuthorshipError, AuthorshipErrorCode
from khala.runtime.modules.authorship.events import SetChanged
from khala.runtime.modules.authorship.state import (
    AUTHORITIES,
    AUTHORITY_SET_ID,
    CURRENT_SLOT,
    PENDING_CHANGE,
    Authority,
)
from khala.runtime.state import State


def slot_of(header: Header) -> int | None:
    """Return the authoring slot from the header's ``khla`` pre-runtime digest."""
    for item in header.digest:
        if isinstance(item, PreRuntimeDigest) and item.engine == ENGINE_ID:
            try:
                slot: int = _SLOT.decode(item.data)
            except ScaleError:
                return None
            return slot
    return None


_SLOT = codec_of(U64)
"""A slot in the digest: little-endian u64, as Aura encodes it."""


def author_of_slot(state: State, slot: int) -> Authority:
    """Return the authority whose turn ``slot`` is.

    Raises:
        AuthorshipError: ``authorship.no_authorities`` when the set is empty.
    """
    authorities = AUTHORITIES.get(state)
    if not authorities:
        raise AuthorshipError(AuthorshipErrorCode.NO_AUTHORITIES, "genesis has no authorities")
    return authorities[slot % len(authorities)]


def find_author(state: State, slot: int | None) -> Authority:
    """Return the author of a block announcing ``slot`` (checked before any hook runs).

    Raises:
        AuthorshipError: When the slot is missing or does not increase.
    """
    if slot is None:
        raise AuthorshipError(AuthorshipErrorCode.MISSING_SLOT, "the header carries no slot")
    previous = CURRENT_SLOT.get(state)
    if slot <= previous:
        raise AuthorshipError(
            AuthorshipErrorCode.SLOT_NOT_INCREASING, f"slot {slot} does not follow slot {previous}"
        )
    return author_of_slot(state, slot)


def on_initialize(state: State, ctx: Context) -> None:
    """Record the block's slot and enact a scheduled authority set change that is due.

    The executive checked the slot with :func:`find_author` before any hook ran.
    The block enacting a change was authored by the old set and is finalized by it (its
    parent's state names the old set); the next block is the new set's first.
    """
    if ctx.env.slot is not None:
        CURRENT_SLOT.put(state, ctx.env.slot)
    pending = PENDING_CHANGE.get(state)
    if pending is not None and ctx.env.number >= pending.at:
        set_id = AUTHORITY_SET_ID.get(state) + 1
        AUTHORITIES.put(state, list(pending.authorities))
        AUTHORITY_SET_ID.put(state, set_id)
        PENDING_CHANGE.put(state, None)
        ctx.emit(SetChanged(set_id))


def build_genesis(state: State, config: Any) -> None:
    """Store the genesis authority set."""
    AUTHORITIES.put(state, list(config.authorities))
