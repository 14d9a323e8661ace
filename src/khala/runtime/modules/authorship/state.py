"""Authorship's storage."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U32, U64
from khala.runtime.modules.authorship.constants import MODULE_NAME
from khala.runtime.storage import StorageValue
from khala.runtime.types import AccountId


@dataclass(frozen=True, slots=True)
class Authority:
    """A block author: its finality key and the account its fee share goes to."""

    finality_key: H256
    """ed25519 public key that seals blocks and signs finality justifications."""
    account: AccountId
    """Account credited with the author's share of fees."""


AUTHORITIES: StorageValue[list[Authority]] = StorageValue(
    MODULE_NAME, "Authorities", list[Authority], []
)
"""The authority set, in slot order."""
CURRENT_SLOT: StorageValue[int] = StorageValue(MODULE_NAME, "CurrentSlot", U64, 0)
"""The slot of the current block."""
AUTHORITY_SET_ID: StorageValue[int] = StorageValue(MODULE_NAME, "SetId", U64, 0)
"""Identifier of the authority set, signed into finality justifications."""


@dataclass(frozen=True, slots=True)
class PendingChange:
    """An authority set change governance scheduled."""

    at: U32
    """The block whose start enacts it (authored and finalized under the old set; every later
    block under the new one)."""
    authorities: list[Authority]
    """The new set."""


PENDING_CHANGE: StorageValue[PendingChange | None] = StorageValue(
    MODULE_NAME, "PendingChange", PendingChange | None, None
)
"""The scheduled change, until it takes effect."""
