"""A vault hears when a stake pool pays its account: the vault's own queue is paid from it."""

from __future__ import annotations

from khala.runtime.context import Context
from khala.runtime.modules.vault import state as st
from khala.runtime.modules.vault.books import load, settle
from khala.runtime.state import State


def on_pool_paid(state: State, ctx: Context, user: bytes, amount: int) -> None:
    """A pool paid ``amount`` to ``user``; if that is a vault, pay the vault's queue."""
    vid = st.ACCOUNTS.get(state, user)
    if vid is not None and amount:
        settle(state, ctx, load(state, vid))
