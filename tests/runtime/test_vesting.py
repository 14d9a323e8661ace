"""Vesting: crowdloan genesis, linear release, vest, vested transfers, merging (FRAME's rules)."""

from __future__ import annotations

from typing import Any

from khala.primitives.trie import Layout, MemoryNodeStore, Trie
from khala.runtime.context import BlockEnv, Context, EventLog, SignedOrigin, transaction
from khala.runtime.errors import DispatchError
from khala.runtime.genesis import GenesisConfig, build_genesis_storage, parse_genesis_config
from khala.runtime.modules.authorship.state import Authority
from khala.runtime.modules.balances.calls import TransferKeepAlive
from khala.runtime.modules.balances.state import LOCKS
from khala.runtime.modules.vesting import events as ev
from khala.runtime.modules.vesting import state as vst
from khala.runtime.modules.vesting.calls import MergeSchedules, Vest, VestedTransfer, VestOther
from khala.runtime.modules.vesting.constants import LOCK_ID, MAX_SCHEDULES
from khala.runtime.modules.vesting.schedules import ending_block, locked_at, merge
from khala.runtime.modules.vesting.types import VestingInfo
from khala.runtime.presets import DEV, KHALA
from khala.runtime.state import State
from khala.runtime.table import RUNTIME
from khala.runtime.types import AddressId, ApplyExtrinsic

PHA = 10**12
CROWD = b"\x0c" * 32
OTHER = b"\x0d" * 32


class Chain:
    """Genesis with a crowdloan contributor (1,000 PHA) and another account; direct dispatch."""

    def __init__(self) -> None:
        config = GenesisConfig(
            DEV,
            ((CROWD, 1000 * PHA), (OTHER, 1000 * PHA)),
            (Authority(OTHER, OTHER),),
            None,
            vesting=((CROWD, 0, DEV.crowdloan_vesting_blocks, 150 * PHA),),
        )
        storage = build_genesis_storage(config)
        trie = Trie.from_items(storage.items(), Layout.V1, MemoryNodeStore())
        trie.commit()
        self.state = State(trie)
        self.number = 1
        self.events: list[Any] = []

    def call(self, who: bytes, call: Any) -> str | None:
        ctx = Context(
            SignedOrigin(who),
            BlockEnv(self.number, bytes(32), None),
            ApplyExtrinsic(0),
            EventLog(),
            DEV,
            lambda *_: None,
            RUNTIME.routes(),
            RUNTIME.listeners(),
        )
        try:
            with transaction(self.state, ctx.events):
                RUNTIME.call_spec(call, DEV).function(self.state, ctx, call)
        except DispatchError as error:
            return str(error.code.value)
        self.events.extend(event for _, event in ctx.events.records)
        return None

    def lock(self, who: bytes) -> int:
        return sum(lock.amount for lock in LOCKS.get(self.state, who) if bytes(lock.id) == LOCK_ID)


def test_crowdloan_rewards_are_15_percent_free_and_85_percent_vesting() -> None:
    """Genesis: 850 PHA locked, released at 850/600 PHA per block on dev."""
    chain = Chain()
    [schedule] = vst.VESTING.get(chain.state, CROWD)
    assert schedule == VestingInfo(850 * PHA, 850 * PHA // 600, 0)
    assert chain.lock(CROWD) == 850 * PHA
    transfer = TransferKeepAlive(AddressId(OTHER), 151 * PHA)
    assert chain.call(CROWD, transfer) == "balances.liquidity_restrictions"
    assert chain.call(CROWD, TransferKeepAlive(AddressId(OTHER), 149 * PHA)) is None


def test_vesting_releases_linearly_and_completes() -> None:
    """Vest at block 300 locks 425.0000000002 PHA; at the end block the lock is gone."""
    chain = Chain()
    chain.number = 300
    assert chain.call(CROWD, Vest()) is None
    per_block = 850 * PHA // 600  # 1.416666666666 PHA
    assert chain.lock(CROWD) == 850 * PHA - 300 * per_block == 425_000_000_000_200
    assert ev.VestingUpdated(CROWD, 425_000_000_000_200) in chain.events
    [schedule] = vst.VESTING.get(chain.state, CROWD)
    assert ending_block(schedule) == 601
    chain.number = 601
    assert chain.call(OTHER, VestOther(AddressId(CROWD))) is None
    assert ev.VestingCompleted(CROWD) in chain.events
    assert chain.lock(CROWD) == 0 and vst.VESTING.get(chain.state, CROWD) == []
    assert chain.call(CROWD, Vest()) == "vesting.not_vesting"


def test_vested_transfer_adds_a_schedule() -> None:
    """At least 1 PHA, a positive rate, at most 28 schedules; the receiver's lock follows."""
    chain = Chain()
    small = VestedTransfer(AddressId(CROWD), VestingInfo(PHA - 1, 1, 0))
    assert chain.call(OTHER, small) == "vesting.amount_low"
    zero_rate = VestedTransfer(AddressId(CROWD), VestingInfo(10 * PHA, 0, 0))
    assert chain.call(OTHER, zero_rate) == "vesting.invalid_schedule_params"
    chain.number = 5
    gift = VestedTransfer(AddressId(OTHER), VestingInfo(10 * PHA, PHA, 5))
    assert chain.call(CROWD, gift) is None  # from the crowdloan's liquid part
    assert chain.lock(OTHER) == 10 * PHA
    chain.number = 8
    assert chain.call(OTHER, Vest()) is None
    assert chain.lock(OTHER) == 7 * PHA
    for _ in range(MAX_SCHEDULES - 1):
        assert chain.call(CROWD, VestedTransfer(AddressId(OTHER), VestingInfo(PHA, PHA, 9))) is None
    assert len(vst.VESTING.get(chain.state, OTHER)) == MAX_SCHEDULES
    extra = VestedTransfer(AddressId(OTHER), VestingInfo(PHA, PHA, 9))
    assert chain.call(CROWD, extra) == "vesting.at_max_vesting_schedules"


def test_merging_follows_frames_rule() -> None:
    """Locked now summed, ending at the later end, starting now or at the later start."""
    first = VestingInfo(10 * PHA, PHA, 0)  # ends at 10
    second = VestingInfo(20 * PHA, PHA, 5)  # ends at 25
    merged = merge(3, first, second)
    assert merged == VestingInfo(27 * PHA, 27 * PHA // 20, 5)
    assert merge(30, first, second) is None
    assert merge(12, first, second) == second
    assert locked_at(second, 4) == 20 * PHA and locked_at(second, 30) == 0


def test_merge_schedules_call() -> None:
    """merge_schedules replaces two schedules with the merged one; bad indices are refused."""
    chain = Chain()
    chain.number = 2
    chain.call(OTHER, VestedTransfer(AddressId(CROWD), VestingInfo(20 * PHA, PHA, 5)))
    assert chain.call(CROWD, MergeSchedules(0, 5)) == "vesting.schedule_index_out_of_bounds"
    assert chain.call(CROWD, MergeSchedules(0, 1)) is None
    [merged] = vst.VESTING.get(chain.state, CROWD)
    per_block = 850 * PHA // 600
    assert merged.locked == 850 * PHA - 2 * per_block + 20 * PHA
    assert merged.starting_block == 5
    assert chain.lock(CROWD) == merged.locked


def test_genesis_configs_take_vesting_and_crowdloan_entries() -> None:
    """JSON genesis: crowdloan accounts are endowed and vest over the preset's period."""
    config = parse_genesis_config(
        {
            "preset": "khala",
            "endowed": [["0x" + OTHER.hex(), "10PHA"]],
            "crowdloan": [["0x" + CROWD.hex(), "1000PHA"]],
            "vesting": [["0x" + OTHER.hex(), 10, 100, "1PHA"]],
            "authorities": [{"finality_key": "0x" + OTHER.hex(), "account": "0x" + OTHER.hex()}],
        }
    )
    assert (CROWD, 1000 * PHA) in config.endowed
    assert config.vesting == (
        (OTHER, 10, 100, PHA),
        (CROWD, 0, KHALA.crowdloan_vesting_blocks, 150 * PHA),
    )
    assert KHALA.crowdloan_vesting_blocks == 96 * 7 * 7200  # 96 weeks of 12 s blocks
