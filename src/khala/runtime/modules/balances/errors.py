"""Balances' dispatch errors, each with its declared on-chain index."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.balances.constants import MODULE_INDEX


class BalancesErrorCode(ModuleErrorCode):
    """Balances error codes."""

    VESTING_BALANCE = "balances.vesting_balance", 0
    """The funds are still vesting."""
    LIQUIDITY_RESTRICTIONS = "balances.liquidity_restrictions", 1
    """A lock keeps the funds from being spent."""
    INSUFFICIENT_BALANCE = "balances.insufficient_balance", 2
    """The free balance is less than the amount."""
    EXISTENTIAL_DEPOSIT = "balances.existential_deposit", 3
    """The amount would create an account below the existential deposit (0.01 PHA)."""
    EXPENDABILITY = "balances.expendability", 4
    """A keep-alive transfer would leave the sender below the existential deposit."""
    EXISTING_VESTING_SCHEDULE = "balances.existing_vesting_schedule", 5
    """A vesting schedule already exists."""
    DEAD_ACCOUNT = "balances.dead_account", 6
    """The account does not exist."""
    TOO_MANY_RESERVES = "balances.too_many_reserves", 7
    """Too many named reserves."""
    TOO_MANY_HOLDS = "balances.too_many_holds", 8
    """Too many holds."""
    TOO_MANY_FREEZES = "balances.too_many_freezes", 9
    """Too many freezes."""
    ISSUANCE_DEACTIVATED = "balances.issuance_deactivated", 10
    """Issuance is deactivated."""
    DELTA_ZERO = "balances.delta_zero", 11
    """The change is zero."""


def balances_error(code: BalancesErrorCode, message: str) -> DispatchError:
    """Build a Balances dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
