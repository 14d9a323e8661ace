"""Vaults, with Phala's vault tests (``pallets/phala/src/test.rs``) as vectors, and the cascade.

Phala's vault and pools share one id series; here vaults count from 0 on their own, so
Phala's "vault 1" is vault 0 below. Amounts are exact planck.
"""

from __future__ import annotations

from khala.runtime.modules.stake_pool.calls import (
    AddWorker,
    ReclaimPoolWorker,
    StartComputing,
)
from khala.runtime.modules.stake_pool.calls import (
    CheckAndMaybeForceWithdraw as PoolCheck,
)
from khala.runtime.modules.stake_pool.calls import (
    Contribute as PoolContribute,
)
from khala.runtime.modules.stake_pool.calls import (
    Create as PoolCreate,
)
from khala.runtime.modules.stake_pool.calls import (
    SetCommission as PoolCommission,
)
from khala.runtime.modules.vault import events as vev
from khala.runtime.modules.vault import state as vst
from khala.runtime.modules.vault.books import refresh, vault_account
from khala.runtime.modules.vault.calls import (
    CheckAndMaybeForceWithdraw,
    ClaimOwnerShares,
    Contribute,
    Create,
    Divest,
    Invest,
    MaybeGainOwnerShares,
    SetCommission,
    Withdraw,
)
from khala.runtime.modules.vault.types import VaultInfo
from khala.runtime.presets import DEV
from tests.runtime.pool_world import DOLLARS, World, account, expect_error, worker_pubkey

GRACE = DEV.withdraw_grace_secs + 1
COOL_DOWN = DEV.cool_down_secs + 1


def _vault(world: World, vid: int) -> VaultInfo:
    found = vst.VAULTS.get(world.state, vid)
    assert found is not None
    return refresh(world.state, found)


def _vault_free(world: World, vid: int) -> int:
    return world.free(vault_account(vid)) - 10**10


def _pool(world: World, owner: int, workers: list[int]) -> None:
    world.ok(owner, PoolCreate())
    for n in workers:
        world.ok(owner, AddWorker(0, worker_pubkey(n)))


def test_create_vault() -> None:
    """test_create_vault: fresh records, ids counting from 0, the checkpoint at price 1."""
    world = World()
    world.ok(1, Create())
    world.ok(2, Create())
    vault = _vault(world, 0)
    assert (vault.pid, bytes(vault.owner), vault.total_shares, vault.total_value) == (
        0,
        account(1),
        0,
        0,
    )
    assert (vault.commission, vault.owner_shares, vault.invest_pools) == (0, 0, [])
    assert vault.last_share_price_checkpoint == DOLLARS
    assert vst.VAULT_COUNT.get(world.state) == 2


def test_contribute_and_invest() -> None:
    """test_contribute (vault part): shares 1:1; investing keeps the vault's value."""
    world = World()
    _pool(world, 1, [1, 2])
    world.ok(1, PoolContribute(0, 130 * DOLLARS))
    world.ok(1, Create())
    world.ok(2, Contribute(0, 200 * DOLLARS))
    vault = _vault(world, 0)
    assert (vault.total_shares, vault.total_value) == (200 * DOLLARS, 200 * DOLLARS)
    assert _vault_free(world, 0) == 200 * DOLLARS
    expect_error(world, 2, Invest(0, 0, 10 * DOLLARS), "vault.not_owner")
    expect_error(world, 1, Invest(0, 0, 201 * DOLLARS), "vault.insufficient_free")
    world.ok(1, Invest(0, 0, 100 * DOLLARS))
    pool = world.pool(0)
    assert (pool.total_shares, pool.total_value) == (230 * DOLLARS, 230 * DOLLARS)
    vault = _vault(world, 0)
    assert (vault.total_shares, vault.total_value) == (200 * DOLLARS, 200 * DOLLARS)
    assert _vault_free(world, 0) == 100 * DOLLARS and vault.invest_pools == [0]


def test_pool_rewards_raise_the_vault_price() -> None:
    """test_on_reward_for_vault: pool commission 50 %, 100 PHA reward; the vault follows."""
    world = World()
    world.ok(3, Create())  # vault 0, owner 3
    _pool(world, 1, [1])
    world.ok(1, PoolCommission(0, 500_000))
    world.ok(3, Contribute(0, 100 * DOLLARS))
    world.ok(3, Invest(0, 0, 50 * DOLLARS))
    world.ok(2, PoolContribute(0, 50 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    world.reward(1, 100 * DOLLARS)
    pool = world.pool(0)
    assert world.free(bytes(pool.owner_reward_account)) - 10**10 == 50 * DOLLARS
    assert world.free_stake(0) == 50 * DOLLARS
    assert (pool.total_value, pool.total_shares) == (150 * DOLLARS, 100 * DOLLARS)
    vault = _vault(world, 0)
    assert (vault.total_value, vault.total_shares) == (125 * DOLLARS, 100 * DOLLARS)
    assert _vault_free(world, 0) == 50 * DOLLARS


def test_vault_owner_shares() -> None:
    """test_vault_owner_shares: 50 % of the gain from price 1 to 1.5 becomes 20 owner shares."""
    world = World()
    world.ok(3, Create())
    world.ok(3, SetCommission(0, 500_000))
    _pool(world, 1, [1])
    world.ok(3, Contribute(0, 100 * DOLLARS))
    world.ok(3, Invest(0, 0, 50 * DOLLARS))
    assert _vault(world, 0).commission == 500_000
    world.ok(3, MaybeGainOwnerShares(0))
    assert _vault(world, 0).owner_shares == 0
    world.ok(2, PoolContribute(0, 50 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 100 * DOLLARS))
    world.reward(1, 100 * DOLLARS)
    pool = world.pool(0)
    assert world.free_stake(0) == 100 * DOLLARS and pool.total_value == 200 * DOLLARS
    vault = _vault(world, 0)
    assert (vault.total_value, vault.total_shares) == (150 * DOLLARS, 100 * DOLLARS)
    expect_error(world, 2, MaybeGainOwnerShares(0), "vault.not_owner")
    world.ok(3, MaybeGainOwnerShares(0))
    vault = _vault(world, 0)
    assert (vault.owner_shares, vault.total_shares) == (20 * DOLLARS, 120 * DOLLARS)
    assert vev.OwnerSharesGained(0, 20 * DOLLARS, 1_250_000_000_000) in world.events
    expect_error(world, 3, ClaimOwnerShares(0, account(4), 50 * DOLLARS), "vault.no_owner_shares")
    world.ok(3, ClaimOwnerShares(0, account(4), 10 * DOLLARS))
    assert _vault(world, 0).owner_shares == 10 * DOLLARS
    assert vst.STAKES.get(world.state, 0, account(4)) == 10 * DOLLARS


def test_a_vault_withdrawal_cascades_into_its_pools() -> None:
    """Free PHA pays first; the shortfall is asked of the pool; the pool's payment pays it."""
    world = World()
    _pool(world, 1, [1])
    world.ok(1, Create())
    world.ok(2, Contribute(0, 400 * DOLLARS))
    world.ok(1, Invest(0, 0, 300 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 300 * DOLLARS))
    before = world.free(2)
    world.ok(2, Withdraw(0, 400 * DOLLARS))
    assert world.free(2) - before == 100 * DOLLARS  # the vault's free PHA, at once
    vault = _vault(world, 0)
    assert [r.shares for r in vault.withdraw_queue] == [300 * DOLLARS]
    requests = world.pool(0).withdraw_queue
    assert [(bytes(r.user), r.shares) for r in requests] == [(vault_account(0), 300 * DOLLARS)]
    world.elapse(GRACE)
    world.ok(4, CheckAndMaybeForceWithdraw(0))  # covered by the releasing pool request
    assert not vst.LOCKS.get(world.state, 0)
    world.ok(4, PoolCheck(0))  # the pool's request is overdue and uncovered: stop
    world.elapse(COOL_DOWN)
    world.ok(4, ReclaimPoolWorker(0, worker_pubkey(1)))
    assert world.free(2) - before == 400 * DOLLARS
    vault = _vault(world, 0)
    assert (vault.withdraw_queue, vault.total_shares, vault.total_value) == ([], 0, 0)


def test_a_forced_vault_withdrawal_locks_the_owner_out() -> None:
    """An owner shrinking the cascaded request leaves the queue uncovered: forced and locked."""
    world = World()
    _pool(world, 1, [1])
    world.ok(1, Create())
    world.ok(2, Contribute(0, 300 * DOLLARS))
    world.ok(1, Invest(0, 0, 300 * DOLLARS))
    world.ok(1, StartComputing(0, worker_pubkey(1), 300 * DOLLARS))
    world.ok(2, Withdraw(0, 300 * DOLLARS))
    world.ok(1, Divest(0, 0, 10 * DOLLARS))  # replaces the vault's 300-share request
    world.elapse(GRACE)
    world.ok(4, CheckAndMaybeForceWithdraw(0))
    assert vst.LOCKS.get(world.state, 0)
    assert vev.ForcedWithdrawal(0, 1) in world.events
    requests = world.pool(0).withdraw_queue
    assert [r.shares for r in requests] == [300 * DOLLARS]
    expect_error(world, 1, Divest(0, 0, 10 * DOLLARS), "vault.vault_locked")
    expect_error(world, 1, Invest(0, 0, 10 * DOLLARS), "vault.vault_locked")
    world.elapse(GRACE)  # the pool request is new: it waits its own grace period
    world.ok(4, PoolCheck(0))
    world.elapse(COOL_DOWN)
    world.ok(4, ReclaimPoolWorker(0, worker_pubkey(1)))
    assert not vst.LOCKS.get(world.state, 0)
    assert vev.VaultUnlocked(0) in world.events
    assert _vault(world, 0).withdraw_queue == []
