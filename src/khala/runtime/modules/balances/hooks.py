"""Balances has no block hooks; its genesis endows accounts and keeps the treasury alive."""

from __future__ import annotations

from typing import Any

from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.payment.constants import TREASURY_ACCOUNT
from khala.runtime.state import State


def build_genesis(state: State, config: Any) -> None:
    """Mint each endowment; give the treasury the existential deposit if it has less."""
    currency.mint_all(state, config.endowed)
    if currency.free_balance(state, TREASURY_ACCOUNT) < EXISTENTIAL_DEPOSIT:
        currency.mint(state, None, TREASURY_ACCOUNT, EXISTENTIAL_DEPOSIT)
