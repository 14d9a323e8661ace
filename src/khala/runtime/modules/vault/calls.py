"""Vault calls (Phala's vault calls plus invest/divest, which Phala routes through pools)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32, U64, Compact, ScaleEnum, variant
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.vault import vault_calls
from khala.runtime.modules.vault.constants import CALL_WEIGHT, CASCADE_WEIGHT
from khala.runtime.types import AccountId


class Call(ScaleEnum):
    """A vault call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Create(Call):
    """Create a vault owned by you (0.01 PHA keeps its account alive)."""


@variant(1)
@dataclass(frozen=True, slots=True)
class SetCommission(Call):
    """Set the owner's part of the share price's gains, in parts per million (owner)."""

    pid: U64
    """The vault."""
    commission: U32
    """0 to 1,000,000."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Contribute(Call):
    """Contribute PHA for vault shares at the vault's price."""

    pid: U64
    """The vault."""
    amount: Compact
    """At least 0.01 PHA, in planck."""


@variant(3)
@dataclass(frozen=True, slots=True)
class Withdraw(Call):
    """Queue a withdrawal of vault shares; the vault asks its pools for any shortfall."""

    pid: U64
    """The vault."""
    shares: Compact
    """Vault shares."""


@variant(4)
@dataclass(frozen=True, slots=True)
class Invest(Call):
    """Contribute ``amount`` of the vault's free PHA to stake pool ``pool`` (owner)."""

    pid: U64
    """The vault."""
    pool: U64
    """The stake pool."""
    amount: Compact
    """Planck."""


@variant(5)
@dataclass(frozen=True, slots=True)
class Divest(Call):
    """Ask stake pool ``pool`` for ``shares`` of the vault's pool shares back (owner)."""

    pid: U64
    """The vault."""
    pool: U64
    """The stake pool."""
    shares: Compact
    """Pool shares in total (replaces the vault's earlier request there)."""


@variant(6)
@dataclass(frozen=True, slots=True)
class MaybeGainOwnerShares(Call):
    """Mint the owner's commission on the price's gain since the checkpoint (owner)."""

    pid: U64
    """The vault."""


@variant(7)
@dataclass(frozen=True, slots=True)
class ClaimOwnerShares(Call):
    """Move gained owner shares to ``target``'s position (owner)."""

    pid: U64
    """The vault."""
    target: AccountId
    """Who receives them."""
    shares: Compact
    """Vault shares."""


@variant(8)
@dataclass(frozen=True, slots=True)
class CheckAndMaybeForceWithdraw(Call):
    """Pay the vault's queue; past the grace period uncovered, ask every pool back (anyone)."""

    pid: U64
    """The vault."""


CALLS: dict[type, CallSpec] = {
    Create: CallSpec(vault_calls.create, CALL_WEIGHT),
    SetCommission: CallSpec(vault_calls.set_commission, CALL_WEIGHT),
    Contribute: CallSpec(vault_calls.contribute, CALL_WEIGHT),
    Withdraw: CallSpec(vault_calls.withdraw, CASCADE_WEIGHT),
    Invest: CallSpec(vault_calls.invest, CALL_WEIGHT),
    Divest: CallSpec(vault_calls.divest, CALL_WEIGHT),
    MaybeGainOwnerShares: CallSpec(vault_calls.maybe_gain_owner_shares, CALL_WEIGHT),
    ClaimOwnerShares: CallSpec(vault_calls.claim_owner_shares, CALL_WEIGHT),
    CheckAndMaybeForceWithdraw: CallSpec(
        vault_calls.check_and_maybe_force_withdraw, CASCADE_WEIGHT
    ),
}
"""Handlers of vault calls."""
