"""Authorship's errors: a block whose slot or author is wrong is invalid."""

from __future__ import annotations

from enum import StrEnum

from khala.errors import KhalaError


class AuthorshipErrorCode(StrEnum):
    """Why a block's authorship digest is unacceptable."""

    MISSING_SLOT = "authorship.missing_slot"
    """The header has no ``khla`` pre-runtime digest with a slot."""
    SLOT_NOT_INCREASING = "authorship.slot_not_increasing"
    """The slot is not greater than the parent's."""
    NO_AUTHORITIES = "authorship.no_authorities"
    """Genesis configured no authority."""


class AuthorshipError(KhalaError):
    """A block's authorship information is invalid."""
