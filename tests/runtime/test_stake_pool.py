"""Stake pools, with Phala's StakePool v2 tests (``pallets/phala/src/test.rs``) as vectors.

Phala's amounts are W-PHA asset balances; here they are native balances, and a pool's
"balance" is its free stake (the pool account beyond its 0.01 PHA deposit), the lock's is the
stake reserved on the lock account. Each test names the Phala test it ports.
"""

from __future__ import annotations

from dataclasses import replace

from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.calls import TransferKeepAlive
from khala.runtime.modules.balances.constants import VESTING_LOCK_ID
from khala.runtime.modules.balances.state import Reasons
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.calls import Bind, Reclaim, StopComputing
from khala.runtime.modules.computation.types import SessionState
from khala.runtime.modules.registry.state import WORKERS
from khala.runtime.modules.stake_pool import events as ev
from khala.runtime.modules.stake_pool import state as pst
from khala.runtime.modules.stake_pool.calls import (
    AddStakerToWhitelist,
    AddWorker,
    CheckAndMaybeForceWithdraw,
    ClaimOwnerRewards,
    Contribute,
    Create,
    ReclaimPoolWorker,
    RemoveStakerFromWhitelist,
    RemoveWorker,
    RestartComputing,
    SetCap,
    SetCommission,
    SetPoolDescription,
    StartComputing,
    Withdraw,
)
from khala.runtime.modules.stake_pool.calls import (
    StopComputing as PoolStop,
)
from khala.runtime.modules.stake_pool.ledger import pool_accounts, worker_session
from khala.runtime.modules.stake_pool.pool_calls import POOL_DEPOSIT
from khala.runtime.presets import DEV
from khala.runtime.types import AddressId
from tests.runtime.pool_world import DOLLARS, World, account, expect_error, worker_pubkey

COOL_DOWN = DEV.cool_down_secs + 1
GRACE = DEV.withdraw_grace_secs + 1


def _pool_with_workers(world: World, owner: int, workers: list[int]) -> int:
    """Phala's ``setup_stake_pool_with_workers``."""
    pid = pst.POOL_COUNT.get(world.state)
    world.ok(owner, Create())
    for n in workers:
        world.ok(owner, AddWorker(pid, worker_pubkey(n)))
    return pid


def test_create_stakepool() -> None:
    """test_create_stakepool: ids count from 0; the owner pays the three accounts' deposit."""
    world = World()
    before = world.free(1)
    world.ok(1, Create())
    world.ok(2, Create())
    pool = world.pool(0)
    assert (pool.pid, bytes(pool.owner), pool.total_shares, pool.total_value) == (
        0,
        account(1),
        0,
        0,
    )
    assert (pool.cap, pool.commission, pool.workers, pool.cd_workers) == (None, 0, [], [])
    assert (pool.pool_account, pool.lock_account, pool.owner_reward_account) == pool_accounts(0)
    assert pst.POOL_COUNT.get(world.state) == 2
    assert before - world.free(1) == POOL_DEPOSIT
    assert ev.PoolCreated(account(1), 0, pool_accounts(0)[0]) in world.events


def test_contribute() -> None:
    """test_contribute (stake pool part): shares 1:1 while the price is 1; positions add up."""
    world = World()
    _pool_with_workers(world, 1, [1, 2])
    expect_error(world, 1, Contribute(0, 20_000 * DOLLARS), "stake_pool.insufficient_balance")
    world.ok(1, Contribute(0, 50 * DOLLARS))
    world.ok(2, Contribute(0, 50 * DOLLARS))
    world.ok(1, Contribute(0, 30 * DOLLARS))
    assert (world.shares(0, 1), world.shares(0, 2)) == (80 * DOLLARS, 50 * DOLLARS)
    pool = world.pool(0)
    assert (pool.total_shares, pool.total_value) == (130 * DOLLARS, 130 * DOLLARS)
    assert world.free_stake(0) == 130 * DOLLARS
    expect_error(world, 2, Contribute(0, 10**10 - 1), "stake_pool.contribution_too_small")


def test_set_pool_description() -> None:
    """test_set_pool_description: the owner only; UTF-8 of at most 4,400 bytes."""
    world = World()
    _pool_with_workers(world, 1, [1])
    world.ok(1, SetPoolDescription(0, b"hello"))
    assert pst.DESCRIPTIONS.get(world.state, 0) == b"hello"
    expect_error(world, 2, SetPoolDescription(0, b"bye"), "stake_pool.not_owner")
    expect_error(world, 1, SetPoolDescription(0, b"x" * 4401), "stake_pool.description_too_long")
    expect_error(world, 1, SetPoolDescription(0, b"\xff"), "stake_pool.invalid_description")


def test_staker_whitelist() -> None:
    """test_staker_whitelist: the owner always may; listed stakers may; empty list opens."""
    world = World()
    _pool_with_workers(world, 1, [1])
    for who in (1, 2, 3):
        world.ok(who, Contribute(0, 40 * DOLLARS))
    world.ok(1, AddStakerToWhitelist(0, account(2)))
    assert pst.WHITELISTS.get(world.state, 0) == [account(2)]
    world.ok(1, Contribute(0, 10 * DOLLARS))
    world.ok(2, Contribute(0, 40 * DOLLARS))
    expect_error(world, 3, Contribute(0, 40 * DOLLARS), "stake_pool.not_whitelisted")
    world.ok(1, AddStakerToWhitelist(0, account(3)))
    assert pst.WHITELISTS.get(world.state, 0) == [account(2), account(3)]
    expect_error(world, 1, AddStakerToWhitelist(0, account(3)), "stake_pool.already_whitelisted")
    world.ok(3, Contribute(0, 20 * DOLLARS))
    world.ok(1, RemoveStakerFromWhitelist(0, account(2)))
    assert pst.WHITELISTS.get(world.state, 0) == [account(3)]
    expect_error(world, 2, Contribute(0, 20 * DOLLARS), "stake_pool.not_whitelisted")
    world.ok(1, RemoveStakerFromWhitelist(0, account(3)))
    assert pst.WHITELISTS.get(world.state, 0) == []
    world.ok(3, Contribute(0, 20 * DOLLARS))


def test_pool_cap() -> None:
    """test_pool_cap: cap ≥ value; contributions up to it; swapping out a queued withdrawal."""
    world = World()
    _pool_with_workers(world, 1, [1])
    assert world.pool(0).cap is None
    expect_error(world, 2, SetCap(100, 1), "stake_pool.pool_not_found")
    expect_error(world, 2, SetCap(0, 1), "stake_pool.not_owner")
    world.ok(1, SetCap(0, 100 * DOLLARS))
    assert world.pool(0).cap == 100 * DOLLARS
    world.ok(1, Contribute(0, 10 * DOLLARS))
    expect_error(world, 1, SetCap(0, 9 * DOLLARS), "stake_pool.cap_too_low")
    world.ok(1, Contribute(0, 90 * DOLLARS))
    expect_error(world, 2, Contribute(0, 90 * DOLLARS), "stake_pool.cap_exceeded")
    # A contribution may pass the cap to swap a queued withdrawal out, if the cap holds after.
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    world.ok(1, Withdraw(0, 100 * DOLLARS))
    expect_error(world, 2, Contribute(0, 101 * DOLLARS), "stake_pool.cap_exceeded")
    world.ok(2, Contribute(0, 100 * DOLLARS))
    world.ok(1, SetCap(0, None))
    assert world.pool(0).cap is None


def test_add_worker() -> None:
    """test_add_worker: registered, operated by the owner, benchmarked, in one pool only."""
    world = World(operators={2: 2})
    world.ok(1, Create())
    expect_error(world, 1, AddWorker(1, worker_pubkey(1)), "stake_pool.pool_not_found")
    expect_error(world, 1, AddWorker(0, b"\x77" * 32), "stake_pool.worker_not_registered")
    expect_error(world, 1, AddWorker(0, worker_pubkey(2)), "stake_pool.not_operator")
    expect_error(world, 2, AddWorker(0, worker_pubkey(2)), "stake_pool.not_owner")
    world.ok(1, AddWorker(0, worker_pubkey(1)))
    session = worker_session(world.pool(0), worker_pubkey(1))
    assert cst.WORKER_BINDINGS.get(world.state, worker_pubkey(1)) == session
    assert cst.SESSION_BINDINGS.get(world.state, session) == worker_pubkey(1)
    assert pst.WORKER_ASSIGNMENTS.get(world.state, worker_pubkey(1)) == 0
    world.ok(1, Create())
    expect_error(world, 1, AddWorker(1, worker_pubkey(1)), "stake_pool.worker_in_pool")
    # The operator cannot take a pool worker's session back through computation.
    expect_error(world, 1, Bind(worker_pubkey(1)), "computation.duplicate_bound_worker")


def test_add_worker_needs_a_benchmark() -> None:
    """test_add_worker: BenchmarkMissing until the worker reports its score."""
    world = World()
    info = WORKERS.get(world.state, worker_pubkey(1))
    assert info is not None
    WORKERS.insert(world.state, worker_pubkey(1), replace(info, initial_score=None))
    world.ok(1, Create())
    expect_error(world, 1, AddWorker(0, worker_pubkey(1)), "stake_pool.benchmark_missing")


def test_start_computing() -> None:
    """test_start_computing: membership, S_min, Vmax; the stake moves to the lock account."""
    world = World()
    world.ok(1, Create())
    expect_error(world, 1, StartComputing(0, worker_pubkey(1), 0), "stake_pool.worker_not_in_pool")
    world.ok(1, AddWorker(0, worker_pubkey(1)))
    world.ok(1, Contribute(0, 100 * DOLLARS))
    expect_error(world, 1, StartComputing(0, worker_pubkey(1), 0), "computation.insufficient_stake")
    world.ok(99, Contribute(0, 9_000 * DOLLARS))
    expect_error(
        world,
        1,
        StartComputing(0, worker_pubkey(1), 9_101 * DOLLARS),
        "stake_pool.insufficient_free_stake",
    )
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    assert cst.ONLINE_WORKERS.get(world.state) == 1
    assert (world.free_stake(0), world.lock(0)) == (9_000 * DOLLARS, 100 * DOLLARS)
    # Nobody holds the lock account's key: computation refuses the owner's direct stop.
    expect_error(world, 1, StopComputing(worker_pubkey(1)), "computation.not_operator")


def test_too_much_stake() -> None:
    """test_start_computing: a stake making Ve exceed Vmax is refused by computation."""
    world = World()
    _pool_with_workers(world, 1, [1])
    world.ok(99, Contribute(0, 9_999 * DOLLARS))
    world.ok(1, Contribute(0, 9_999 * DOLLARS))
    world.ok(2, Contribute(0, 9_999 * DOLLARS))
    expect_error(
        world,
        1,
        StartComputing(0, worker_pubkey(1), 25_000 * DOLLARS),
        "computation.too_much_stake",
    )


def test_stop_and_reclaim() -> None:
    """test_stop_computing + test_reclaim: the stake waits in the lock, then returns."""
    world = World()
    _pool_with_workers(world, 1, [1, 2])
    world.ok(1, Contribute(0, 100 * DOLLARS))
    assert (world.free_stake(0), world.lock(0)) == (100 * DOLLARS, 0)
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    assert (world.free_stake(0), world.lock(0)) == (0, 100 * DOLLARS)
    world.ok(1, PoolStop(0, worker_pubkey(1)))
    assert (world.free_stake(0), world.lock(0)) == (0, 100 * DOLLARS)
    assert world.pool(0).cd_workers == [worker_pubkey(1)]
    expect_error(world, 1, PoolStop(0, worker_pubkey(1)), "stake_pool.worker_already_stopped")
    expect_error(
        world, 3, ReclaimPoolWorker(0, worker_pubkey(1)), "computation.cool_down_not_ready"
    )
    world.elapse(COOL_DOWN)
    world.ok(3, ReclaimPoolWorker(0, worker_pubkey(1)))
    assert (world.free_stake(0), world.lock(0)) == (100 * DOLLARS, 0)
    assert world.pool(0).cd_workers == []
    assert ev.WorkerReclaimed(0, worker_pubkey(1), 100 * DOLLARS) in world.events


def test_reclaim_through_computation_still_returns_the_stake_to_the_pool() -> None:
    """Anyone may reclaim via computation.reclaim: the pool hears of it and takes the stake."""
    world = World()
    _pool_with_workers(world, 1, [1])
    world.ok(2, Contribute(0, 100 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    world.ok(1, PoolStop(0, worker_pubkey(1)))
    world.elapse(COOL_DOWN)
    world.ok(3, Reclaim(worker_pubkey(1)))
    assert (world.free_stake(0), world.lock(0), world.pool(0).cd_workers) == (100 * DOLLARS, 0, [])


def test_remove_worker_only_when_ready() -> None:
    """remove_worker needs a Ready session (a cooling-down worker keeps its stake: #500)."""
    world = World()
    _pool_with_workers(world, 1, [1])
    world.ok(1, Contribute(0, 100 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    expect_error(world, 1, RemoveWorker(0, worker_pubkey(1)), "stake_pool.worker_not_ready")
    world.ok(1, PoolStop(0, worker_pubkey(1)))
    expect_error(world, 1, RemoveWorker(0, worker_pubkey(1)), "stake_pool.worker_not_ready")
    world.elapse(COOL_DOWN)
    world.ok(2, ReclaimPoolWorker(0, worker_pubkey(1)))
    world.ok(1, RemoveWorker(0, worker_pubkey(1)))
    assert pst.WORKER_ASSIGNMENTS.get(world.state, worker_pubkey(1)) is None
    assert cst.WORKER_BINDINGS.get(world.state, worker_pubkey(1)) is None
    assert world.pool(0).workers == []
    # Re-added, it starts afresh with the pool's whole stake: nothing was lost or doubled.
    world.ok(1, AddWorker(0, worker_pubkey(1)))
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    assert (world.free_stake(0), world.lock(0)) == (0, 100 * DOLLARS)


def test_restart_computing() -> None:
    """restart_computing_should_work: only with more stake; the difference leaves free stake."""
    world = World()
    _pool_with_workers(world, 1, [1])
    world.ok(2, Contribute(0, 200 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 150 * DOLLARS))
    for stake in (50 * DOLLARS, 150 * DOLLARS):
        expect_error(
            world,
            1,
            RestartComputing(0, worker_pubkey(1), stake),
            "stake_pool.restart_with_less_stake",
        )
    assert world.free_stake(0) == 50 * DOLLARS
    world.ok(1, RestartComputing(0, worker_pubkey(1), 151 * DOLLARS))
    assert world.free_stake(0) == 49 * DOLLARS
    assert world.lock(0) == 151 * DOLLARS
    record = cst.SESSIONS.get(world.state, worker_session(world.pool(0), worker_pubkey(1)))
    assert record is not None and record.state is SessionState.WORKER_IDLE
    assert world.pool(0).cd_workers == []


def test_rewards_split_commission_and_compound() -> None:
    """test_claim_owner_rewards: 50 % commission of 1,000 PHA; the rest raises the price."""
    world = World()
    _pool_with_workers(world, 1, [1])
    expect_error(world, 1, SetCommission(0, 1_000_001), "stake_pool.invalid_commission")
    world.ok(1, SetCommission(0, 500_000))
    world.ok(1, Contribute(0, 100 * DOLLARS))
    world.ok(2, Contribute(0, 400 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 500 * DOLLARS))
    world.reward(1, 1000 * DOLLARS)
    pool = world.pool(0)
    reward_account = bytes(pool.owner_reward_account)
    assert world.free(reward_account) - 10**10 == 500 * DOLLARS
    assert (pool.total_value, pool.total_shares) == (1000 * DOLLARS, 500 * DOLLARS)
    assert world.free_stake(0) == 500 * DOLLARS
    assert ev.RewardReceived(0, 500 * DOLLARS, 500 * DOLLARS) in world.events
    expect_error(world, 2, ClaimOwnerRewards(0, account(2)), "stake_pool.not_owner")
    before = world.free(4)
    world.ok(1, ClaimOwnerRewards(0, account(4)))
    assert world.free(4) - before == 500 * DOLLARS
    assert world.free(reward_account) == 10**10
    expect_error(world, 1, ClaimOwnerRewards(0, account(4)), "stake_pool.no_reward_to_claim")


def test_commission_is_permill_rounded_to_nearest() -> None:
    """10 % of 1.000000000005 PHA: 100000000000.5 planck rounds down at the tie."""
    world = World()
    _pool_with_workers(world, 1, [1])
    world.ok(1, SetCommission(0, 100_000))
    world.ok(2, Contribute(0, 100 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    world.reward(1, DOLLARS + 5)
    assert ev.RewardReceived(0, 100_000_000_000, 900_000_000_005) in world.events
    world.reward(1, DOLLARS + 6)
    assert ev.RewardReceived(0, 100_000_000_001, 900_000_000_005) in world.events


def test_withdraw() -> None:
    """test_withdraw (stake pool part): immediate from free stake, the rest queued, FIFO."""
    world = World()
    _pool_with_workers(world, 1, [1, 2])
    for who in (2, 1, 3):
        world.ok(who, Contribute(0, 300 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 400 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(2), 300 * DOLLARS))
    paid_before = world.free(2)
    world.ok(2, Withdraw(0, 300 * DOLLARS))
    assert (world.queued(0, 2), world.shares(0, 2)) == (100 * DOLLARS, 0)
    assert world.free(2) - paid_before == 200 * DOLLARS
    assert ev.Withdrawal(0, account(2), 200 * DOLLARS, 200 * DOLLARS) in world.events
    world.ok(99, Contribute(0, 300 * DOLLARS))
    assert world.pool(0).withdraw_queue == []
    assert world.free(2) - paid_before == 300 * DOLLARS
    before = world.free(1)
    world.ok(1, Withdraw(0, 200 * DOLLARS))
    assert world.pool(0).withdraw_queue == [] and world.shares(0, 1) == 100 * DOLLARS
    assert world.free(1) - before == 200 * DOLLARS
    expect_error(world, 3, Withdraw(0, 301 * DOLLARS), "stake_pool.invalid_withdrawal")
    expect_error(world, 3, Withdraw(0, 1000), "stake_pool.invalid_withdrawal")


def test_a_new_request_replaces_the_old_one() -> None:
    """One request per delegator: the earlier one's shares come back first."""
    world = World()
    _pool_with_workers(world, 1, [1])
    world.ok(2, Contribute(0, 300 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 300 * DOLLARS))
    world.ok(2, Withdraw(0, 100 * DOLLARS))
    assert (world.queued(0, 2), world.shares(0, 2)) == (100 * DOLLARS, 200 * DOLLARS)
    world.ok(2, Withdraw(0, 250 * DOLLARS))
    assert (world.queued(0, 2), world.shares(0, 2)) == (250 * DOLLARS, 50 * DOLLARS)
    assert len(world.pool(0).withdraw_queue) == 1


def test_check_and_maybe_force_withdraw() -> None:
    """test_check_and_maybe_force_withdraw (stake pool part): overdue and uncovered → stop all."""
    world = World()
    _pool_with_workers(world, 1, [1, 2])
    world.ok(2, Contribute(0, 300 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(2), 100 * DOLLARS))
    world.ok(2, Withdraw(0, 300 * DOLLARS))
    world.ok(1, PoolStop(0, worker_pubkey(1)))
    world.elapse(GRACE)
    assert world.free_stake(0) == 0
    assert world.pool(0).cd_workers == [worker_pubkey(1)]
    world.ok(3, ReclaimPoolWorker(0, worker_pubkey(1)))
    assert world.free_stake(0) == 0 and world.pool(0).cd_workers == []
    assert world.queued(0, 2) == 100 * DOLLARS and world.shares(0, 2) == 0
    world.ok(3, CheckAndMaybeForceWithdraw(0))
    assert world.pool(0).cd_workers == [worker_pubkey(2)]
    assert ev.ForcedShutdown(0, 1) in world.events
    world.elapse(COOL_DOWN)
    world.ok(3, ReclaimPoolWorker(0, worker_pubkey(2)))
    assert world.pool(0).withdraw_queue == [] and world.free_stake(0) == 0


def test_no_forced_shutdown_within_the_grace_period_or_when_covered() -> None:
    """A young request, or one that free + cooling stake covers, stops nothing."""
    world = World()
    _pool_with_workers(world, 1, [1, 2])
    world.ok(2, Contribute(0, 200 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(2), 100 * DOLLARS))
    world.ok(2, Withdraw(0, 100 * DOLLARS))
    world.ok(3, CheckAndMaybeForceWithdraw(0))
    assert world.pool(0).cd_workers == []
    world.ok(1, PoolStop(0, worker_pubkey(1)))  # 100 PHA releasing now covers the request
    world.elapse(GRACE)
    world.ok(3, CheckAndMaybeForceWithdraw(0))
    assert world.pool(0).cd_workers == [worker_pubkey(1)]
    assert not any(isinstance(event, ev.ForcedShutdown) for event in world.events)


def test_a_dust_remainder_of_a_request_is_dropped_with_it() -> None:
    """A request filled but for ≤ 1,000 planck of shares leaves the queue (base_pool's dust)."""
    world = World()
    _pool_with_workers(world, 1, [1])
    world.ok(2, Contribute(0, 100 * DOLLARS + 500))
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS + 500))
    world.ok(2, Withdraw(0, 100 * DOLLARS + 500))
    assert world.queued(0, 2) == 100 * DOLLARS + 500
    world.ok(3, Contribute(0, 100 * DOLLARS))
    pool = world.pool(0)
    assert pool.withdraw_queue == []
    assert ev.Withdrawal(0, account(2), 100 * DOLLARS, 100 * DOLLARS + 500) in world.events
    assert (pool.total_shares, pool.total_value) == (100 * DOLLARS, 100 * DOLLARS + 500)


def test_a_late_settlement_does_not_disturb_the_releasing_stake() -> None:
    """Phala #541: a reward for a cooling-down worker raises value; the stake still releases."""
    world = World()
    _pool_with_workers(world, 1, [1, 2])
    world.ok(2, Contribute(0, 200 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(2), 100 * DOLLARS))
    world.ok(1, PoolStop(0, worker_pubkey(1)))
    world.reward(1, 10 * DOLLARS)  # settled after the stop
    pool = world.pool(0)
    assert (pool.total_value, world.free_stake(0), world.lock(0)) == (
        210 * DOLLARS,
        10 * DOLLARS,
        200 * DOLLARS,
    )
    world.ok(2, Withdraw(0, 200 * DOLLARS))  # worth 210 PHA: 10 paid now, 200 queued
    world.elapse(GRACE)
    world.ok(3, CheckAndMaybeForceWithdraw(0))
    # Not covered by free (0) + releasing (100): worker 2 is stopped as well.
    assert world.pool(0).cd_workers == [worker_pubkey(1), worker_pubkey(2)]
    world.elapse(COOL_DOWN)
    world.ok(3, ReclaimPoolWorker(0, worker_pubkey(1)))
    world.ok(3, ReclaimPoolWorker(0, worker_pubkey(2)))
    assert world.pool(0).withdraw_queue == [] and world.lock(0) == 0
    assert world.pool(0).total_value == 0 and world.pool(0).total_shares == 0


def test_vesting_locked_pha_can_be_staked_and_stays_locked() -> None:
    """Crowdloan rewards may stake: the vesting lock stays on the account and follows the stake."""
    world = World()
    _pool_with_workers(world, 1, [1])
    who = account(2)
    currency.set_lock(world.state, VESTING_LOCK_ID, who, 9_000 * DOLLARS, Reasons.ALL)
    transfer = TransferKeepAlive(AddressId(account(3)), 2_000 * DOLLARS)
    assert world.call(2, transfer) == "balances.liquidity_restrictions"
    world.ok(2, Contribute(0, 9_500 * DOLLARS))  # 8,500 of it locked
    assert world.shares(0, 2) == 9_500 * DOLLARS
    world.ok(2, Withdraw(0, 9_500 * DOLLARS))  # all free stake: paid at once
    assert world.free(2) == 10_000 * DOLLARS
    assert world.call(2, transfer) == "balances.liquidity_restrictions"  # still locked
    world.ok(2, TransferKeepAlive(AddressId(account(3)), 900 * DOLLARS))  # the unlocked part


def test_other_locks_keep_their_funds_out_of_pools() -> None:
    """A lock that is not stakeable (a vote, say) blocks contributions like transfers."""
    world = World()
    _pool_with_workers(world, 1, [1])
    currency.set_lock(world.state, b"democrac", account(2), 9_000 * DOLLARS, Reasons.ALL)
    expect_error(world, 2, Contribute(0, 1_500 * DOLLARS), "stake_pool.insufficient_balance")
    world.ok(2, Contribute(0, 900 * DOLLARS))
