"""Vesting's genesis: schedules for endowed accounts (crowdloan rewards)."""

from __future__ import annotations

from typing import Any

from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.state import Reasons
from khala.runtime.modules.vesting import state as st
from khala.runtime.modules.vesting.constants import LOCK_ID
from khala.runtime.modules.vesting.schedules import locked_at
from khala.runtime.modules.vesting.types import VestingInfo
from khala.runtime.state import State


def build_genesis(state: State, config: Any) -> None:
    """Lock each vesting account's balance but ``liquid``, released over ``length`` blocks.

    Entries are ``(account, begin, length, liquid)``; ``per_block = locked / length`` from
    ``begin`` (FRAME's genesis rule).
    """
    for account, begin, length, liquid in config.vesting:
        balance = currency.free_balance(state, account)
        locked = max(balance - liquid, 0)
        if not locked:
            continue
        schedule = VestingInfo(locked, max(locked // max(length, 1), 1), begin)
        st.VESTING.insert(state, account, [*st.VESTING.get(state, account), schedule])
        total = sum(locked_at(s, 0) for s in st.VESTING.get(state, account))
        currency.set_lock(state, LOCK_ID, account, total, Reasons.ALL)
