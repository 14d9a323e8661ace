"""System's events, indexed as FRAME indexes them."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U32, ScaleEnum, variant
from khala.runtime.types import AccountId, DispatchErrorRecord, DispatchInfo


class Event(ScaleEnum):
    """A System event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class ExtrinsicSuccess(Event):
    """An extrinsic completed successfully."""

    dispatch_info: DispatchInfo
    """Its weight, class and fee flag."""


@variant(1)
@dataclass(frozen=True, slots=True)
class ExtrinsicFailed(Event):
    """An extrinsic failed; its fee and nonce were still charged."""

    dispatch_error: DispatchErrorRecord
    """Why it failed."""
    dispatch_info: DispatchInfo
    """Its weight, class and fee flag."""


@variant(2)
@dataclass(frozen=True, slots=True)
class CodeUpdated(Event):
    """The runtime was upgraded: this block ran the new release's migrations."""


@variant(3)
@dataclass(frozen=True, slots=True)
class NewAccount(Event):
    """An account was created."""

    account: AccountId
    """The new account."""


@variant(4)
@dataclass(frozen=True, slots=True)
class KilledAccount(Event):
    """An account was reaped."""

    account: AccountId
    """The removed account."""


@variant(5)
@dataclass(frozen=True, slots=True)
class Remarked(Event):
    """An on-chain remark happened."""

    sender: AccountId
    """Who made it."""
    hash: H256
    """blake2-256 of the remark."""


@variant(7)
@dataclass(frozen=True, slots=True)
class UpgradeAuthorized(Event):
    """Governance authorized a runtime upgrade, effective at the next block."""

    spec_version: U32
    """The runtime to switch to."""
    code_hash: H256
    """Its code hash."""
