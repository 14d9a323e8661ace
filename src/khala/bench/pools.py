"""Stake pool benchmark: delegations in blocks, and routing a block's settlements to pools.

1. **Operations in blocks.** A dev chain in memory with one pool; blocks of signed
   ``contribute`` extrinsics from distinct delegators, then blocks of their ``withdraw``
   extrinsics, built by the real block builder (signatures, fees, dispatch, trie root). The
   same number of ``transfer_keep_alive`` extrinsics is built in the same run as the
   baseline. Reported as operations per second of block building.
2. **Settlement routing.** ``pools`` pools of ``workers_per_pool`` computing workers each;
   per block, the gatekeepers' settlement of ``expected_heartbeats`` workers (khala's 20 per
   block, spread over the pools) goes through computation's on-chain handler and the pools'
   reward listener. Setup (creating pools, starting workers) is not timed.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from typing import Any

from khala.bench.timing import machine
from khala.primitives.crypto import Keypair, KeyScheme, keypair_from_seed
from khala.primitives.fixed_point import U64F64
from khala.primitives.scale import encode
from khala.primitives.trie import Layout, MemoryNodeStore, Trie
from khala.runtime.builder import build_block
from khala.runtime.context import BlockEnv, Context, EventLog, RootOrigin, SignedOrigin, transaction
from khala.runtime.executive import Executive
from khala.runtime.extrinsic import Era, SignedExtra, sign_extrinsic
from khala.runtime.genesis import GenesisConfig, build_genesis_storage, genesis_block_header
from khala.runtime.modules.authorship.state import Authority
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.calls import TransferKeepAlive
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.constants import SETTLE_TOPIC, SUBSIDY_ACCOUNT
from khala.runtime.modules.computation.messages import on_settlement
from khala.runtime.modules.computation.tokenomics import GEMINI
from khala.runtime.modules.computation.types import SettleInfo, WorkingInfoUpdate
from khala.runtime.modules.mq import state as mst
from khala.runtime.modules.mq.types import GatekeeperOrigin, Message
from khala.runtime.modules.registry.state import WORKERS
from khala.runtime.modules.registry.types import AttestationProvider, WorkerInfo
from khala.runtime.modules.stake_pool.calls import (
    AddWorker,
    Contribute,
    Create,
    SetCommission,
    StartComputing,
    Withdraw,
)
from khala.runtime.modules.timestamp.state import NOW
from khala.runtime.presets import DEV
from khala.runtime.state import State
from khala.runtime.table import RUNTIME
from khala.runtime.types import AddressId, ApplyExtrinsic
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION

PHA = 10**12
START_MS = 1_700_000_000_000
"""Genesis time of the benchmark chains."""


def _pair(index: int) -> Keypair:
    return keypair_from_seed(KeyScheme.ED25519, index.to_bytes(32, "little"))


def _sign(pair: Keypair, call: Any, nonce: int, genesis: bytes) -> bytes:
    return sign_extrinsic(
        pair,
        call,
        SignedExtra(Era(), nonce, 0),
        spec_version=SPEC_VERSION,
        transaction_version=TRANSACTION_VERSION,
        genesis_hash=genesis,
        era_block_hash=genesis,
    )


class _Chain:
    """A dev chain in memory driven by the real block builder."""

    def __init__(self, accounts: int) -> None:
        self.pairs = [_pair(index) for index in range(accounts + 1)]
        endowed = tuple((pair.public_key, 10_000 * PHA) for pair in self.pairs)
        author = self.pairs[0].public_key
        config = GenesisConfig(DEV, endowed, (Authority(author, author),), None)
        storage = build_genesis_storage(config)
        self.head = genesis_block_header(storage)
        self.genesis = self.head.hash()
        self.trie = Trie.from_items(storage.items(), Layout.V1, MemoryNodeStore())
        self.trie.commit()
        self.executive = Executive(DEV, self.genesis)
        self.slot = 0

    def block(self, extrinsics: list[bytes]) -> float:
        """Build a block; return the seconds it took."""
        self.slot += 1
        start = time.perf_counter()
        built = build_block(
            self.executive,
            self.trie,
            self.head,
            slot=self.slot,
            now_ms=START_MS + self.slot * DEV.block_time_ms,
            candidates=extrinsics,
        )
        elapsed = time.perf_counter() - start
        self.trie.commit()
        self.head = built.block.header
        return elapsed


def _operations(delegators: int, blocks: int) -> dict[str, float]:
    """Contribute and withdraw extrinsics per second of block building, and transfers."""
    per_block = delegators // blocks
    chain = _Chain(delegators)
    owner = chain.pairs[0]
    chain.block([_sign(owner, Create(), 0, chain.genesis)])
    timed: dict[str, float] = {"contribute": 0.0, "withdraw": 0.0, "transfer": 0.0}
    calls: dict[str, Any] = {
        "contribute": lambda _: Contribute(0, 100 * PHA),
        "withdraw": lambda _: Withdraw(0, 50 * PHA),
        "transfer": lambda index: TransferKeepAlive(
            AddressId(chain.pairs[(index % delegators) + 1].public_key), PHA
        ),
    }
    for nonce, kind in enumerate(("contribute", "withdraw", "transfer")):
        for first in range(0, per_block * blocks, per_block):
            batch = [
                _sign(chain.pairs[i + 1], calls[kind](i + 1), nonce, chain.genesis)
                for i in range(first, first + per_block)
            ]
            timed[kind] += chain.block(batch)
    operations = per_block * blocks
    return {kind: operations / seconds for kind, seconds in timed.items()}


def _settlement_world(pools: int, per_pool: int) -> tuple[State, list[bytes]]:
    """Pools with computing workers, built through the real handlers (not timed)."""
    state = State(Trie())
    owner = b"\x01" * 32
    currency.mint(state, None, owner, 10**9 * PHA)
    currency.mint(state, None, SUBSIDY_ACCOUNT, 10**9 * PHA)
    cst.TOKENOMIC_PARAMETERS.put(state, replace(GEMINI, k=U64F64.from_int(1)))
    cst.MINING_ENABLED.put(state, True)
    NOW.put(state, START_MS)
    workers = []
    for pid in range(pools):
        _call(state, owner, Create())
        _call(state, owner, SetCommission(pid, 100_000))
        _call(state, owner, Contribute(pid, per_pool * 100 * PHA))
        for slot in range(per_pool):
            worker = (pid * per_pool + slot + 1).to_bytes(32, "big")
            info = WorkerInfo(worker, bytes(32), 1, 0, owner, AttestationProvider.DCAP, 1, 100, [])
            WORKERS.insert(state, worker, info)
            _call(state, owner, AddWorker(pid, worker))
            _call(state, owner, StartComputing(pid, worker, 100 * PHA))
            workers.append(worker)
        mst.OUTBOUND.kill(state)  # as each block's on_initialize clears the messages
    return state, workers


def _context(origin: Any, number: int) -> Context:
    return Context(
        origin,
        BlockEnv(number, bytes(32), None),
        ApplyExtrinsic(0),
        EventLog(),
        DEV,
        lambda *_: None,
        RUNTIME.routes(),
        RUNTIME.listeners(),
    )


def _call(state: State, who: bytes, call: Any) -> None:
    ctx = _context(SignedOrigin(who), 1)
    with transaction(state, ctx.events):
        RUNTIME.call_spec(call, DEV).function(state, ctx, call)


def run_pools_benchmark(
    *,
    pools: int = 1_000,
    workers_per_pool: int = 10,
    settle_blocks: int = 50,
    delegators: int = 1_000,
    op_blocks: int = 5,
) -> dict[str, Any]:
    """Measure both parts; see the module docstring."""
    rates = _operations(delegators, op_blocks)
    state, workers = _settlement_world(pools, workers_per_pool)
    per_block = GEMINI.expected_heartbeats
    stride = max(len(workers) // per_block, 1)
    timings = []
    for block in range(2, settle_blocks + 2):
        chosen = [workers[(block * 7919 + i * stride) % len(workers)] for i in range(per_block)]
        update = WorkingInfoUpdate(
            block, [], [], [SettleInfo(worker, 1 << 64, 10 * PHA, 2 * PHA) for worker in chosen]
        )
        message = Message(GatekeeperOrigin(), SETTLE_TOPIC, encode(update))
        ctx = _context(RootOrigin(), block)
        start = time.perf_counter()
        with transaction(state, ctx.events):
            on_settlement(state, ctx, message)
        timings.append(time.perf_counter() - start)
        mst.OUTBOUND.kill(state)
    timings.sort()
    return {
        "ops_per_s": round(min(rates["contribute"], rates["withdraw"]), 1),
        "contribute_per_s": round(rates["contribute"], 1),
        "withdraw_per_s": round(rates["withdraw"], 1),
        "transfer_per_s_baseline": round(rates["transfer"], 1),
        "settle_ms_10k_workers": round(statistics.median(timings) * 1000, 3),
        "settle_ms_p95": round(timings[int(len(timings) * 0.95) - 1] * 1000, 3),
        "settlements_per_block": per_block,
        "pools": pools,
        "computing_workers": len(workers),
        "machine": machine(),
    }
