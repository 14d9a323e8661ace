"""Authorship's hooks: check the slot and find the author."""

from __future__ import annotations

from khala.runtime.modules.authorship.errors import AuthorshipError, AuthorshipErrorCode
from khala.runtime.modules.authorship.state import AUTHORITIES, CURRENT_SLOT, Authority
from khala.runtime.state import State


def author_of_slot(state: State, slot: int) -> Authority:
    """Return the authority whose turn ``slot`` is.

    Raises:
        AuthorshipError: ``authorship.no_authorities`` when the set is empty.
    """
    authorities = AUTHORITIES.get(state)
    if not authorities:
        raise AuthorshipError(AuthorshipErrorCode.NO_AUTHORITIES, "genesis has no authorities")
    return authorities[slot % len(authorities)]


def on_initialize(state: State, slot: int | None) -> Authority:
    """Record the block's slot and return its author.

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
    CURRENT_SLOT.put(state, slot)
    return author_of_slot(state, slot)
