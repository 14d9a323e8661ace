"""System's storage, with FRAME's names and layouts so Substrate tools read it unchanged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from khala.primitives.hashing import StorageHasher
from khala.primitives.records import maker
from khala.primitives.scale import H256, U32, U128
from khala.runtime.events import EventRecord, encode_records
from khala.runtime.modules.system.constants import MODULE_NAME
from khala.runtime.modules.system.types import AuthorizedUpgrade, LastRuntimeUpgradeInfo
from khala.runtime.state import State
from khala.runtime.storage import StorageMap, StorageValue
from khala.runtime.types import AccountId, Balance, BlockNumber, Phase


@dataclass(frozen=True, slots=True)
class AccountData:
    """An account's balances (``pallet_balances::AccountData``)."""

    free: Balance
    """Spendable balance, including any frozen part."""
    reserved: Balance
    """Balance set aside by modules (deposits, stakes); not spendable until unreserved."""
    frozen: Balance
    """The part of ``free`` that locks keep from being spent (the largest lock)."""
    flags: U128
    """FRAME's ExtraFlags; the top bit marks the new (holds and freezes) balance logic."""


NEW_LOGIC_FLAG = 1 << 127
"""The flag FRAME sets on accounts using the current balance logic."""


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """An account record (``frame_system::AccountInfo``)."""

    nonce: U32
    """Transactions sent so far; the next one must use this value."""
    consumers: U32
    """Modules depending on the account existing."""
    providers: U32
    """Reasons the account exists (a balance at least the existential deposit)."""
    sufficients: U32
    """Sufficient assets held (unused)."""
    data: AccountData
    """The balances."""


_ACCOUNT_DATA = maker(AccountData)
"""Builds an :class:`AccountData` from its four fields (see :mod:`khala.primitives.records`)."""
_ACCOUNT_INFO = maker(AccountInfo)
"""Builds an :class:`AccountInfo` from its five fields."""

EMPTY_ACCOUNT = AccountInfo(0, 0, 0, 0, AccountData(0, 0, 0, NEW_LOGIC_FLAG))
"""What a non-existent account reads as."""

ACCOUNT: StorageMap[bytes, AccountInfo] = StorageMap(
    MODULE_NAME, "Account", StorageHasher.BLAKE2_128_CONCAT, AccountId, AccountInfo, EMPTY_ACCOUNT
)
"""System.Account: account id -> AccountInfo."""
NUMBER: StorageValue[int] = StorageValue(MODULE_NAME, "Number", BlockNumber, 0)
"""System.Number: the current block's height."""
PARENT_HASH: StorageValue[bytes] = StorageValue(MODULE_NAME, "ParentHash", H256, bytes(32))
"""System.ParentHash: the parent of the current block."""
BLOCK_HASH: StorageMap[int, bytes] = StorageMap(
    MODULE_NAME, "BlockHash", StorageHasher.TWOX64_CONCAT, BlockNumber, H256, bytes(32)
)
"""System.BlockHash: recent block hashes by number (for mortal eras)."""
EVENT_COUNT: StorageValue[int] = StorageValue(MODULE_NAME, "EventCount", U32, 0)
"""System.EventCount: events in the current block."""
EXTRINSIC_COUNT: StorageValue[int | None] = StorageValue(
    MODULE_NAME, "ExtrinsicCount", U32 | None, None
)
"""System.ExtrinsicCount: extrinsics in the last finished block."""


LAST_RUNTIME_UPGRADE: StorageValue[LastRuntimeUpgradeInfo | None] = StorageValue(
    MODULE_NAME, "LastRuntimeUpgrade", LastRuntimeUpgradeInfo | None, None
)
"""System.LastRuntimeUpgrade: the runtime version the chain runs (set at genesis and by every
upgrade); nodes pick the release that executes each block from it."""
AUTHORIZED_UPGRADE: StorageValue[AuthorizedUpgrade | None] = StorageValue(
    MODULE_NAME, "AuthorizedUpgrade", AuthorizedUpgrade | None, None
)
"""System.AuthorizedUpgrade: the upgrade governance authorized, until the block that switches."""


EVENTS: StorageValue[list[EventRecord]] = StorageValue(MODULE_NAME, "Events", list[EventRecord], [])
"""System.Events: the current block's events (``Vec<EventRecord>``), stored when it finishes."""


def with_free(data: AccountData, free: int) -> AccountData:
    """``data`` with another free balance (the hot path of every transfer: no ``replace``)."""
    return _ACCOUNT_DATA(free, data.reserved, data.frozen, data.flags)


def with_data(info: AccountInfo, data: AccountData, providers: int | None = None) -> AccountInfo:
    """``info`` with other balances (and providers, when given), built directly."""
    return _ACCOUNT_INFO(
        info.nonce,
        info.consumers,
        info.providers if providers is None else providers,
        info.sufficients,
        data,
    )


def account(state: State, who: bytes) -> AccountInfo:
    """Return an account's record (the empty record when it does not exist)."""
    return ACCOUNT.get(state, who)


def put_account(state: State, who: bytes, info: AccountInfo) -> None:
    """Store an account's record."""
    ACCOUNT.insert(state, who, info)


def remove_account(state: State, who: bytes) -> None:
    """Delete an account's record (its nonce resets; FRAME does the same on reaping)."""
    ACCOUNT.remove(state, who)


def account_exists(state: State, who: bytes) -> bool:
    """Whether the account has a provider (i.e. exists)."""
    return ACCOUNT.get(state, who).providers > 0


def increment_nonce(state: State, who: bytes) -> None:
    """Advance an account's nonce after it sent a transaction."""
    info = ACCOUNT.get(state, who)
    ACCOUNT.insert(
        state,
        who,
        _ACCOUNT_INFO(info.nonce + 1, info.consumers, info.providers, info.sufficients, info.data),
    )


def block_hash(state: State, number: int) -> bytes:
    """Return the hash of block ``number`` if still remembered, else 32 zero bytes."""
    return BLOCK_HASH.get(state, number)


def reset_events(state: State) -> None:
    """Clear the previous block's events at the start of a block."""
    EVENTS.kill(state)
    EVENT_COUNT.kill(state)


def note_finished_block(
    state: State, extrinsic_count: int, events: Sequence[tuple[Phase, Any]]
) -> None:
    """Record the finished block's extrinsic count and store its events as ``EventRecord``s."""
    EXTRINSIC_COUNT.put(state, extrinsic_count)
    EVENTS.put_encoded(state, encode_records(events))
    EVENT_COUNT.put(state, len(events))
