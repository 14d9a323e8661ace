"""Balances' currency operations: reserves, locks, reaping, and conservation of issuance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khala.primitives.trie import Trie
from khala.runtime.context import BlockEnv, Context, EventLog, SignedOrigin
from khala.runtime.errors import DispatchError
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.balances.errors import BalancesErrorCode
from khala.runtime.modules.balances.state import Reasons
from khala.runtime.modules.system.state import ACCOUNT
from khala.runtime.presets import DEV
from khala.runtime.state import State
from khala.runtime.types import ApplyExtrinsic

PHA = 10**12
ACCOUNTS = [bytes([index]) * 32 for index in range(4)]


def _setup(balances: list[int]) -> tuple[State, Context]:
    state = State(Trie())
    for who, amount in zip(ACCOUNTS, balances, strict=False):
        if amount:
            currency.mint(state, None, who, amount)
    ctx = Context(
        SignedOrigin(ACCOUNTS[0]),
        BlockEnv(1, bytes(32), None),
        ApplyExtrinsic(0),
        EventLog(),
        DEV,
        lambda *_: None,
    )
    return state, ctx


def test_reserve_and_unreserve_move_between_free_and_reserved() -> None:
    """Reserved funds leave free balance and come back; unreserve caps at what is reserved."""
    state, ctx = _setup([10 * PHA])
    currency.reserve(state, ctx, ACCOUNTS[0], 4 * PHA)
    data = ACCOUNT.get(state, ACCOUNTS[0]).data
    assert (data.free, data.reserved) == (6 * PHA, 4 * PHA)
    assert currency.unreserve(state, ctx, ACCOUNTS[0], 10 * PHA) == 4 * PHA
    with pytest.raises(DispatchError) as caught:
        currency.reserve(state, ctx, ACCOUNTS[0], 11 * PHA)
    assert caught.value.code is BalancesErrorCode.INSUFFICIENT_BALANCE


def test_locks_freeze_the_largest_amount() -> None:
    """The largest lock freezes that much of the free balance; removing it frees it."""
    state, ctx = _setup([10 * PHA, 10 * PHA])
    currency.set_lock(state, b"vesting ", ACCOUNTS[0], 7 * PHA, Reasons.ALL)
    currency.set_lock(state, b"staking ", ACCOUNTS[0], 3 * PHA, Reasons.ALL)
    assert ACCOUNT.get(state, ACCOUNTS[0]).data.frozen == 7 * PHA
    assert currency.spendable(state, ACCOUNTS[0]) == 3 * PHA
    with pytest.raises(DispatchError) as caught:
        currency.transfer(state, ctx, ACCOUNTS[0], ACCOUNTS[1], 4 * PHA, keep_alive=False)
    assert caught.value.code is BalancesErrorCode.LIQUIDITY_RESTRICTIONS
    currency.remove_lock(state, b"vesting ", ACCOUNTS[0])
    currency.transfer(state, ctx, ACCOUNTS[0], ACCOUNTS[1], 4 * PHA, keep_alive=False)
    assert currency.free_balance(state, ACCOUNTS[1]) == 14 * PHA


@settings(max_examples=60)
@given(
    st.lists(st.integers(0, 50 * PHA), min_size=4, max_size=4),
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 20 * PHA), st.booleans()),
        max_size=20,
    ),
)
def test_transfers_conserve_issuance_except_burned_dust(
    balances: list[int], moves: list[tuple[int, int, int, bool]]
) -> None:
    """Total issuance always equals the sum of balances; it drops only by reaped dust."""
    state, ctx = _setup(balances)
    for source, dest, amount, keep_alive in moves:
        state.begin()
        try:
            currency.transfer(
                state, ctx, ACCOUNTS[source], ACCOUNTS[dest], amount, keep_alive=keep_alive
            )
        except DispatchError:
            state.rollback()
        else:
            state.commit()
    total = sum(
        ACCOUNT.get(state, who).data.free + ACCOUNT.get(state, who).data.reserved
        for who in ACCOUNTS
    )
    assert currency.total_issuance(state) == total
    for who in ACCOUNTS:
        info = ACCOUNT.get(state, who)
        assert info.providers == 0 or info.data.free + info.data.reserved >= EXISTENTIAL_DEPOSIT


@given(
    st.lists(
        st.tuples(
            st.sampled_from([bytes([n]) * 32 for n in range(6)]),
            st.sampled_from([0, 1, EXISTENTIAL_DEPOSIT - 1, EXISTENTIAL_DEPOSIT, 10**12, 10**12]),
        ),
        max_size=20,
    )
)
def test_genesis_minting_equals_minting_one_by_one(endowments: list[tuple[bytes, int]]) -> None:
    """mint_all's fast path writes exactly what mint does: duplicates sum, dust is burned."""
    bulk, single = State(Trie()), State(Trie())
    currency.mint_all(bulk, endowments)
    for who, amount in endowments:
        currency.mint(single, None, who, amount)
    assert bulk.changes() == single.changes()
