"""Stake pool invariants under random operation sequences (a hypothesis state machine).

Several delegators, two pools of two workers each, and random contributions, withdrawals,
rewards (including late ones to cooling-down workers, Phala #541), starts, stops, reclaims,
restarts, forced-shutdown checks, commission changes and claims, with time passing. After
every step:

* PHA is conserved: all balances together equal the total issuance, which only falls by
  dust the pools burnt (withdrawals below the existential deposit to reaped accounts);
* each pool's shares are exactly its positions plus its queued requests;
* its value never exceeds free + bound stake, and exceeds it by at most the dust dropped
  when the pool emptied;
* no position can claim more than the pool is worth (Σ shares × price ≤ value);
* the queue is FIFO with one non-dust request per delegator;
* the lock account holds exactly the stake of the pool's computing and cooling workers
  (cooling stake is never lost or double counted, Phala #500), plus its deposit.

At the end every worker is stopped and reclaimed: then every queued request is paid.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.constants import SUBSIDY_ACCOUNT
from khala.runtime.modules.payment.constants import TREASURY_ACCOUNT
from khala.runtime.modules.stake_pool import events as ev
from khala.runtime.modules.stake_pool import state as pst
from khala.runtime.modules.stake_pool.calls import (
    AddWorker,
    CheckAndMaybeForceWithdraw,
    ClaimOwnerRewards,
    Contribute,
    Create,
    ReclaimPoolWorker,
    RestartComputing,
    SetCommission,
    StartComputing,
    StopComputing,
    Withdraw,
)
from khala.runtime.modules.stake_pool.ledger import bound_stake, free_stake, pool_accounts
from khala.runtime.modules.stake_pool.math import DUST, bmul, is_dust, share_price
from khala.runtime.modules.system.state import account as system_account
from khala.runtime.modules.vault import state as vst
from khala.runtime.modules.vault.books import free as vault_free
from khala.runtime.modules.vault.books import refresh, vault_account
from khala.runtime.modules.vault.calls import CheckAndMaybeForceWithdraw as VaultCheck
from khala.runtime.modules.vault.calls import ClaimOwnerShares, Divest, Invest, MaybeGainOwnerShares
from khala.runtime.modules.vault.calls import Contribute as VaultContribute
from khala.runtime.modules.vault.calls import Create as VaultCreate
from khala.runtime.modules.vault.calls import SetCommission as VaultCommission
from khala.runtime.modules.vault.calls import Withdraw as VaultWithdraw
from khala.runtime.modules.vault.types import VaultInfo
from khala.runtime.presets import DEV
from tests.runtime.pool_world import PHA, World, account, worker_pubkey

USERS = (1, 2, 3, 4, 99)
POOLS = {0: (1, 2), 1: (3, 4)}
"""Pool id -> its workers (both pools owned by account 1)."""

users = st.sampled_from(USERS)
pools = st.sampled_from(sorted(POOLS))
slots = st.sampled_from([0, 1])
amounts = st.integers(min_value=10**10, max_value=600 * PHA)
fractions = st.integers(min_value=1, max_value=100)


class PoolMachine(RuleBasedStateMachine):
    """Random pool operations against the real handlers, checking the books after each."""

    @initialize()
    def setup(self) -> None:
        """Two pools with two workers each, and a first round of delegations."""
        self.world = World()
        for pid, workers in POOLS.items():
            self.world.ok(1, Create())
            for n in workers:
                self.world.ok(1, AddWorker(pid, worker_pubkey(n)))
            for who in USERS[1:]:
                self.world.ok(who, Contribute(pid, (1000 + 500 * pid) * PHA))
        self.world.ok(99, VaultCreate())
        self.world.ok(99, VaultCommission(0, 200_000))
        for who in (2, 3):
            self.world.ok(who, VaultContribute(0, 800 * PHA))
        self.issuance = currency.total_issuance(self.world.state)
        self.burnt = 0
        self.emptied = {pid: 0 for pid in POOLS}

    def _worker(self, pid: int, slot: int) -> bytes:
        return worker_pubkey(POOLS[pid][slot])

    def _do(self, who: int | None, call: object) -> None:
        before = len(self.world.events)
        values = {pid: self.world.pool(pid).total_value for pid in POOLS}
        self.world.call(who, call)
        for event in self.world.events[before:]:
            if isinstance(event, ev.WithdrawalDustBurned):
                self.burnt += event.amount
        for pid in POOLS:
            if values[pid] and self.world.pool(pid).total_value == 0:
                self.emptied[pid] += 1

    @rule(who=users, pid=pools, amount=amounts)
    def contribute(self, who: int, pid: int, amount: int) -> None:
        """Someone contributes (refused when too poor, capped or bankrupt)."""
        self._do(who, Contribute(pid, amount))

    @rule(who=users, pid=pools, percent=fractions)
    def withdraw(self, who: int, pid: int, percent: int) -> None:
        """Someone asks for part of what it holds (queued shares included)."""
        held = self.world.shares(pid, who) + self.world.queued(pid, who)
        self._do(who, Withdraw(pid, held * percent // 100))

    @rule(pid=pools, slot=slots, percent=st.integers(min_value=1, max_value=110))
    def start(self, pid: int, slot: int, percent: int) -> None:
        """The owner starts a worker with a share of the free stake (refused when busy)."""
        free = free_stake(self.world.state, self.world.pool(pid))
        stake = max(free * percent // 100, 20 * PHA)
        self._do(1, StartComputing(pid, self._worker(pid, slot), stake))

    @rule(pid=pools, slot=slots, extra=st.integers(min_value=0, max_value=300 * PHA))
    def restart(self, pid: int, slot: int, extra: int) -> None:
        """The owner restarts a worker with more stake (refused with a queue)."""
        worker = self._worker(pid, slot)
        session = cst.WORKER_BINDINGS.get(self.world.state, worker)
        current = 0 if session is None else cst.STAKES.get(self.world.state, session)
        self._do(1, RestartComputing(pid, worker, current + extra))

    @rule(pid=pools, slot=slots)
    def stop(self, pid: int, slot: int) -> None:
        """The owner stops a worker."""
        self._do(1, StopComputing(pid, self._worker(pid, slot)))

    @rule(who=users, pid=pools, slot=slots)
    def reclaim(self, who: int, pid: int, slot: int) -> None:
        """Anyone reclaims a cooled-down worker."""
        self._do(who, ReclaimPoolWorker(pid, self._worker(pid, slot)))

    @rule(pid=pools, slot=slots, payout=st.integers(min_value=1, max_value=50 * PHA))
    def reward(self, pid: int, slot: int, payout: int) -> None:
        """The gatekeepers pay a worker that has a stake (computing or cooling down)."""
        worker = self._worker(pid, slot)
        session = cst.WORKER_BINDINGS.get(self.world.state, worker)
        if session is not None and cst.STAKES.get(self.world.state, session):
            self.world.reward(POOLS[pid][slot], payout)

    @rule(seconds=st.sampled_from([2, 20, DEV.cool_down_secs + 1, DEV.withdraw_grace_secs + 1]))
    def elapse(self, seconds: int) -> None:
        """Time passes."""
        self.world.elapse(seconds)

    @rule(who=users, pid=pools)
    def force_check(self, who: int, pid: int) -> None:
        """Anyone checks for an overdue withdrawal."""
        self._do(who, CheckAndMaybeForceWithdraw(pid))

    @rule(who=users, pid=pools)
    def overdue_check(self, who: int, pid: int) -> None:
        """The grace period passes, then someone checks the pool."""
        self.world.elapse(DEV.withdraw_grace_secs + 1)
        self._do(who, CheckAndMaybeForceWithdraw(pid))

    @rule(pid=pools, ppm=st.sampled_from([0, 100_000, 333_333, 1_000_000]))
    def commission(self, pid: int, ppm: int) -> None:
        """The owner changes its commission."""
        self._do(1, SetCommission(pid, ppm))

    @rule(pid=pools)
    def claim(self, pid: int) -> None:
        """The owner claims its commissions."""
        self._do(1, ClaimOwnerRewards(pid, account(1)))

    # --- the vault (owner 99) ------------------------------------------------------------

    @rule(who=users, amount=amounts)
    def vault_contribute(self, who: int, amount: int) -> None:
        """Someone contributes to the vault."""
        self._do(who, VaultContribute(0, amount))

    @rule(who=users, percent=fractions)
    def vault_withdraw(self, who: int, percent: int) -> None:
        """Someone asks the vault for part of its shares (the vault may cascade)."""
        held = vst.STAKES.get(self.world.state, 0, account(who)) + sum(
            r.shares for r in self._vault().withdraw_queue if bytes(r.user) == account(who)
        )
        self._do(who, VaultWithdraw(0, held * percent // 100))

    @rule(pid=pools, percent=fractions)
    def vault_invest(self, pid: int, percent: int) -> None:
        """The vault's owner invests part of its free PHA in a pool."""
        free = vault_free(self.world.state, self._vault())
        self._do(99, Invest(0, pid, max(free * percent // 100, 10**10)))

    @rule(pid=pools, percent=fractions)
    def vault_divest(self, pid: int, percent: int) -> None:
        """The vault's owner asks a pool for part of the vault's shares back."""
        held = pst.STAKES.get(self.world.state, pid, vault_account(0))
        self._do(99, Divest(0, pid, held * percent // 100))

    @rule()
    def vault_gain(self) -> None:
        """The vault's owner mints its commission on gains."""
        self._do(99, MaybeGainOwnerShares(0))

    @rule(who=users)
    def vault_claim(self, who: int) -> None:
        """The vault's owner mints its gains and hands half its owner shares to someone."""
        self._do(99, MaybeGainOwnerShares(0))
        self._do(99, ClaimOwnerShares(0, account(who), max(self._vault().owner_shares // 2, 1)))

    @rule(who=users)
    def vault_check(self, who: int) -> None:
        """Anyone checks the vault for an overdue withdrawal."""
        self._do(who, VaultCheck(0))

    def _vault(self) -> VaultInfo:
        vault = vst.VAULTS.get(self.world.state, 0)
        assert vault is not None
        return vault

    # --- invariants ------------------------------------------------------------------

    @invariant()
    def pha_is_conserved(self) -> None:
        """Balances add up to the issuance, which only falls by burnt dust."""
        state = self.world.state
        holders = [account(u) for u in USERS]
        for pid in POOLS:
            holders.extend(pool_accounts(pid))
        holders.append(vault_account(0))
        holders += [SUBSIDY_ACCOUNT, TREASURY_ACCOUNT]
        total = 0
        for who in holders:
            data = system_account(state, who).data
            total += data.free + data.reserved
        assert total == currency.total_issuance(state) == self.issuance - self.burnt

    @invariant()
    def books_balance(self) -> None:
        """Shares, value, queue and lock agree with the accounts."""
        state = self.world.state
        for pid, workers in POOLS.items():
            pool = self.world.pool(pid)
            positions = sum(shares for _, shares in pst.STAKES.iter_prefix(state, pid))
            queued = [request.shares for request in pool.withdraw_queue]
            assert pool.total_shares == positions + sum(queued)
            assert all(not is_dust(shares) for shares in queued)
            users_in_queue = [bytes(r.user) for r in pool.withdraw_queue]
            assert len(users_in_queue) == len(set(users_in_queue))
            times = [r.start_time for r in pool.withdraw_queue]
            assert times == sorted(times)
            held = free_stake(state, pool) + bound_stake(state, pool)
            assert pool.total_value <= held <= pool.total_value + DUST * self.emptied[pid]
            price = share_price(pool.total_value, pool.total_shares)
            if price is not None:
                claims = sum(bmul(s, price) for _, s in pst.STAKES.iter_prefix(state, pid))
                assert claims + sum(bmul(s, price) for s in queued) <= pool.total_value
            lock = system_account(state, bytes(pool.lock_account)).data
            assert lock.reserved == bound_stake(state, pool)
            assert lock.free == EXISTENTIAL_DEPOSIT
            cooling = {bytes(w) for w in pool.cd_workers}
            assert cooling <= {worker_pubkey(n) for n in workers}

    @invariant()
    def vault_books_balance(self) -> None:
        """Vault shares are positions, queue and owner shares; claims never exceed the value."""
        state = self.world.state
        vault = refresh(state, self._vault())
        positions = sum(shares for _, shares in vst.STAKES.iter_prefix(state, 0))
        queued = [request.shares for request in vault.withdraw_queue]
        assert vault.total_shares == positions + sum(queued) + vault.owner_shares
        assert all(not is_dust(shares) for shares in queued)
        users_in_queue = [bytes(r.user) for r in vault.withdraw_queue]
        assert len(users_in_queue) == len(set(users_in_queue))
        price = share_price(vault.total_value, vault.total_shares)
        if price is not None:
            claims = sum(bmul(s, price) for _, s in vst.STAKES.iter_prefix(state, 0))
            claims += sum(bmul(s, price) for s in queued) + bmul(vault.owner_shares, price)
            assert claims <= vault.total_value

    def teardown(self) -> None:
        """Stop and reclaim everything: every queued request is then paid."""
        world = getattr(self, "world", None)
        if world is None:
            return
        for pid, workers in POOLS.items():
            for n in workers:
                world.call(1, StopComputing(pid, worker_pubkey(n)))
        world.elapse(DEV.cool_down_secs + 1)
        for pid, workers in POOLS.items():
            for n in workers:
                world.call(2, ReclaimPoolWorker(pid, worker_pubkey(n)))
        world.elapse(DEV.withdraw_grace_secs + 1)
        world.call(2, VaultCheck(0))  # an uncovered vault request: every pool is asked back
        for pid in POOLS:
            world.call(2, CheckAndMaybeForceWithdraw(pid))
            pool = world.pool(pid)
            assert bound_stake(world.state, pool) == 0
            if pool.total_value > 0:
                assert pool.withdraw_queue == [], pool
        vault = refresh(world.state, vst.VAULTS.get(world.state, 0))  # type: ignore[arg-type]
        if vault.total_value > 0:
            assert vault.withdraw_queue == [], vault


PoolMachine.TestCase.settings = settings(
    max_examples=200, stateful_step_count=60, deadline=None, derandomize=True
)
test_pool_invariants = PoolMachine.TestCase
