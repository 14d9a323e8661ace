"""Balances' dispatch errors, in FRAME's order (the order is the on-chain error index)."""

from __future__ import annotations

from enum import StrEnum

from khala.runtime.errors import DispatchError
from khala.runtime.modules.balances.constants import MODULE_INDEX


class BalancesError(StrEnum):
    """Balances error codes."""

    VESTING_BALANCE = "balances.vesting_balance"
    """The funds are still vesting."""
    LIQUIDITY_RESTRICTIONS = "balances.liquidity_restrictions"
    """A lock keeps the funds from being spent."""
    INSUFFICIENT_BALANCE = "balances.insufficient_balance"
    """The free balance is less than the amount."""
    EXISTENTIAL_DEPOSIT = "balances.existential_deposit"
    """The amount would create an account below the existential deposit (0.01 PHA)."""
    EXPENDABILITY = "balances.expendability"
    """A keep-alive transfer would leave the sender below the existential deposit."""
    EXISTING_VESTING_SCHEDULE = "balances.existing_vesting_schedule"
    """A vesting schedule already exists."""
    DEAD_ACCOUNT = "balances.dead_account"
    """The account does not exist."""
    TOO_MANY_RESERVES = "balances.too_many_reserves"
    """Too many named reserves."""
    TOO_MANY_HOLDS = "balances.too_many_holds"
    """Too many holds."""
    TOO_MANY_FREEZES = "balances.too_many_freezes"
    """Too many freezes."""
    ISSUANCE_DEACTIVATED = "balances.issuance_deactivated"
    """Issuance is deactivated."""
    DELTA_ZERO = "balances.delta_zero"
    """The change is zero."""


def balances_error(code: BalancesError, message: str) -> DispatchError:
    """Build a Balances dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
