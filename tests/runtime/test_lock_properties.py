"""Locks never let an account spend below them (hypothesis over random balance operations).

Transfers, reserves and withdrawals must keep the free balance at or above the largest lock;
staking (pool and vault contributions) may spend only what stakeable locks (vesting) hold,
never what any other lock holds. Conviction locks through the democracy module itself are
checked in ``test_democracy_properties.py``.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from khala.primitives.trie import Trie
from khala.runtime.context import BlockEnv, Context, EventLog, SignedOrigin
from khala.runtime.errors import DispatchError
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.constants import VESTING_LOCK_ID
from khala.runtime.modules.balances.state import LOCKS, Reasons
from khala.runtime.modules.system.state import account
from khala.runtime.presets import DEV
from khala.runtime.state import State
from khala.runtime.types import ApplyExtrinsic

PHA = 10**12
WHO, OTHER = b"\x01" * 32, b"\x02" * 32
LOCK_IDS = [VESTING_LOCK_ID, b"democrac", b"staking "]

operations = st.lists(
    st.tuples(
        st.sampled_from(["lock", "unlock", "transfer", "stake", "reserve", "withdraw"]),
        st.sampled_from(LOCK_IDS),
        st.integers(min_value=1, max_value=1200 * PHA),
    ),
    max_size=30,
)


def _largest(state: State, *, stakeable_excluded: bool) -> int:
    return max(
        (
            lock.amount
            for lock in LOCKS.get(state, WHO)
            if not (stakeable_excluded and bytes(lock.id) == VESTING_LOCK_ID)
        ),
        default=0,
    )


initial_locks = st.lists(st.integers(min_value=0, max_value=1000 * PHA), min_size=3, max_size=3)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(initial_locks, operations)
def test_no_operation_spends_below_a_lock(
    locks: list[int], ops: list[tuple[str, bytes, int]]
) -> None:
    state = State(Trie())
    currency.mint(state, None, WHO, 1000 * PHA)
    currency.mint(state, None, OTHER, PHA)
    for lock_id, amount in zip(LOCK_IDS, locks, strict=True):
        if amount:
            currency.set_lock(state, lock_id, WHO, amount, Reasons.ALL)
    ctx = Context(
        SignedOrigin(WHO), BlockEnv(1, bytes(32), None), ApplyExtrinsic(0), EventLog(), DEV,
        lambda *_: None,
    )  # fmt: skip
    for kind, lock_id, amount in ops:
        before = account(state, WHO).data.free
        try:
            if kind == "lock":
                currency.set_lock(state, lock_id, WHO, amount, Reasons.ALL)
            elif kind == "unlock":
                currency.remove_lock(state, lock_id, WHO)
            elif kind == "transfer":
                currency.transfer(state, ctx, WHO, OTHER, amount, keep_alive=True)
            elif kind == "stake":
                currency.transfer_stake(state, ctx, WHO, OTHER, amount)
            elif kind == "reserve":
                currency.reserve(state, ctx, WHO, amount)
            else:
                currency.withdraw(state, ctx, WHO, amount, keep_alive=True)
        except DispatchError:
            assert account(state, WHO).data.free == before  # a refusal changes nothing
            continue
        free = account(state, WHO).data.free
        if kind in ("transfer", "reserve", "withdraw"):
            assert free >= _largest(state, stakeable_excluded=False)
        elif kind == "stake":
            assert free >= _largest(state, stakeable_excluded=True)
