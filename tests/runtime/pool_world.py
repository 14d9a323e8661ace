"""A stake-pool world: real call handlers and listeners over in-memory state, no blocks.

Calls go through the runtime table's handlers inside a storage transaction, exactly as the
executive dispatches them (without fees and signatures, which the block-level tests cover),
so hundreds of random operations per example stay fast. Settlements go through
computation's real on-chain handler with a gatekeeper origin. The tokenomic parameters use
``k = 1`` so that Phala's test amounts (100 PHA stakes) pass ``S_min``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from khala.primitives.fixed_point import U64F64
from khala.primitives.scale import encode
from khala.primitives.trie import Trie
from khala.runtime.context import (
    BlockEnv,
    Context,
    EventLog,
    Origin,
    RootOrigin,
    SignedOrigin,
    transaction,
)
from khala.runtime.errors import DispatchError
from khala.runtime.modules.balances import currency
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.constants import SETTLE_TOPIC, SUBSIDY_ACCOUNT
from khala.runtime.modules.computation.messages import on_settlement
from khala.runtime.modules.computation.tokenomics import GEMINI
from khala.runtime.modules.computation.types import SettleInfo, WorkingInfoUpdate
from khala.runtime.modules.mq.types import GatekeeperOrigin, Message
from khala.runtime.modules.payment.constants import TREASURY_ACCOUNT
from khala.runtime.modules.registry.state import WORKERS
from khala.runtime.modules.registry.types import AttestationProvider, WorkerInfo
from khala.runtime.modules.stake_pool import state as pst
from khala.runtime.modules.stake_pool.ledger import free_stake
from khala.runtime.modules.stake_pool.types import PoolInfo
from khala.runtime.modules.system.state import account as system_account
from khala.runtime.modules.timestamp.state import NOW
from khala.runtime.presets import DEV
from khala.runtime.state import State
from khala.runtime.table import RUNTIME
from khala.runtime.types import ApplyExtrinsic

PHA = 10**12
DOLLARS = PHA
START_MS = 1_700_000_000_000


def account(n: int) -> bytes:
    """Phala's test accounts are small integers; ours are 32 bytes."""
    return bytes([n]) * 32


def worker_pubkey(n: int) -> bytes:
    """Phala's ``worker_pubkey(n)``."""
    return bytes([0x80 + n]) * 32


def _nested(state: State, ctx: Context, call: Any) -> None:
    """Dispatch a call carried by another (council motions, sudo) as the executive does."""
    RUNTIME.call_spec(call, DEV).function(state, ctx, call)


class World:
    """Accounts 1..4 and 99 with 10,000 PHA each; workers 1..4 operated by account 1."""

    def __init__(self, *, score: int = 100, operators: dict[int, int] | None = None) -> None:
        """Endow the accounts and the subsidy, register the workers, enable mining."""
        self.state = State(Trie())
        for who in (1, 2, 3, 4, 99):
            currency.mint(self.state, None, account(who), 10_000 * PHA)
        currency.mint(self.state, None, SUBSIDY_ACCOUNT, 10**9 * PHA)
        currency.mint(self.state, None, TREASURY_ACCOUNT, PHA)
        for n in range(1, 5):
            operator = account((operators or {}).get(n, 1))
            info = WorkerInfo(
                worker_pubkey(n), bytes(32), 1, 0, operator, AttestationProvider.DCAP, 1, score, []
            )
            WORKERS.insert(self.state, worker_pubkey(n), info)
        cst.TOKENOMIC_PARAMETERS.put(self.state, replace(GEMINI, k=U64F64.from_int(1)))
        cst.MINING_ENABLED.put(self.state, True)
        self.number = 1
        NOW.put(self.state, START_MS)
        self.events: list[Any] = []

    def context(self, origin: Origin) -> Context:
        """A context for one dispatch in the current block."""
        log = EventLog()
        return Context(
            origin,
            BlockEnv(self.number, bytes(32), None),
            ApplyExtrinsic(0),
            log,
            DEV,
            _nested,
            RUNTIME.routes(),
            RUNTIME.listeners(),
        )

    def call(self, who: int | None, call: Any) -> str | None:
        """Dispatch ``call`` as account ``who`` (None: root); return the error code, if any."""
        origin: Origin = RootOrigin() if who is None else SignedOrigin(account(who))
        ctx = self.context(origin)
        spec = RUNTIME.call_spec(call, DEV)
        try:
            with transaction(self.state, ctx.events):
                spec.function(self.state, ctx, call)
        except DispatchError as error:
            return str(error.code.value)
        self.events.extend(event for _, event in ctx.events.records)
        return None

    def ok(self, who: int | None, call: Any) -> None:
        """Dispatch and insist it succeeds."""
        error = self.call(who, call)
        assert error is None, f"{type(call).__name__} failed: {error}"

    def reward(self, worker: int, payout: int, treasury: int = 0) -> None:
        """The gatekeepers settle ``payout`` for ``worker`` in the next block."""
        self.number += 1
        update = WorkingInfoUpdate(
            self.number, [], [], [SettleInfo(worker_pubkey(worker), 1 << 64, payout, treasury)]
        )
        ctx = self.context(RootOrigin())
        with transaction(self.state, ctx.events):
            on_settlement(
                self.state, ctx, Message(GatekeeperOrigin(), SETTLE_TOPIC, encode(update))
            )
        self.events.extend(event for _, event in ctx.events.records)

    def elapse(self, seconds: int) -> None:
        """Let time pass (one block later)."""
        self.number += 1
        NOW.put(self.state, NOW.get(self.state) + seconds * 1000)

    def pool(self, pid: int) -> PoolInfo:
        """Pool ``pid`` as stored."""
        found = pst.POOLS.get(self.state, pid)
        assert found is not None
        return found

    def free_stake(self, pid: int) -> int:
        """The pool account's balance beyond its deposit (Phala's ``get_balance(pool)``)."""
        return free_stake(self.state, self.pool(pid))

    def lock(self, pid: int) -> int:
        """PHA the pool's lock account holds for workers (Phala's ``get_balance(lock)``)."""
        return system_account(self.state, bytes(self.pool(pid).lock_account)).data.reserved

    def free(self, who: int | bytes) -> int:
        """An account's free balance."""
        key = account(who) if isinstance(who, int) else who
        return currency.free_balance(self.state, key)

    def shares(self, pid: int, who: int) -> int:
        """Shares ``who`` holds in ``pid`` (queued ones excluded)."""
        return pst.STAKES.get(self.state, pid, account(who))

    def queued(self, pid: int, who: int) -> int:
        """Shares of ``who``'s queued request in ``pid`` (0 without one)."""
        return sum(r.shares for r in self.pool(pid).withdraw_queue if bytes(r.user) == account(who))


def expect_error(world: World, who: int | None, call: Any, code: str) -> None:
    """The call fails with ``code`` and changes nothing (``assert_noop``)."""
    before = dict(world.state._overlay)
    assert world.call(who, call) == code
    assert world.state._overlay == before
