"""Authorship's errors: a block whose slot or author is wrong; a refused set change."""

from __future__ import annotations

from enum import StrEnum

from khala.errors import KhalaError
from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.authorship.constants import MODULE_INDEX


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


class AuthorshipCallErrorCode(ModuleErrorCode):
    """Why governance's authority set change was refused."""

    EMPTY_SET = "authorship.empty_set", 0
    """The new set has no authority: no block could be authored or finalized."""
    TOO_MANY_AUTHORITIES = "authorship.too_many_authorities", 1
    """The new set is larger than ``MAX_AUTHORITIES``."""
    DUPLICATE_KEY = "authorship.duplicate_key", 2
    """A finality key appears twice (it would count twice towards the 2/3)."""
    CHANGE_PENDING = "authorship.change_pending", 3
    """A scheduled change has not taken effect yet."""


def authorship_error(code: AuthorshipCallErrorCode, message: str) -> DispatchError:
    """Build an Authorship dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
