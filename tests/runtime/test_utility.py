"""Utility: batch, batch_all and force_batch; weights; the origin each call sees.

A batch weighs its calls and passes its origin (a council motion's share) to each of them.
"""

from __future__ import annotations

from khala.runtime.context import CouncilOrigin
from khala.runtime.modules.balances.calls import ForceSetBalance, TransferKeepAlive
from khala.runtime.modules.computation.calls import SetHeartbeatPaused
from khala.runtime.modules.computation.state import HEARTBEAT_PAUSED
from khala.runtime.modules.system.calls import AuthorizeUpgrade, Remark
from khala.runtime.modules.system.state import AUTHORIZED_UPGRADE
from khala.runtime.modules.utility import events as ev
from khala.runtime.modules.utility.calls import Batch, BatchAll, ForceBatch
from khala.runtime.modules.utility.constants import BATCH_WEIGHT, MAX_CALLS
from khala.runtime.table import RUNTIME
from khala.runtime.types import AddressId
from tests.runtime.gov_world import GOV, PHA, GovWorld, account


def _pay(to: int, amount: int) -> TransferKeepAlive:
    return TransferKeepAlive(AddressId(account(to)), amount * PHA)


def test_batch_stops_at_the_first_failure_and_keeps_what_ran() -> None:
    world = GovWorld()
    world.ok(6, Batch([_pay(1, 5), _pay(2, 500), _pay(3, 5)]))
    assert world.free(1) == 15 * PHA and world.free(2) == 20 * PHA and world.free(3) == 30 * PHA
    [interrupted] = world.take_events(ev.BatchInterrupted)
    assert interrupted.index == 1
    assert world.take_events(ev.BatchCompleted) == []


def test_batch_all_is_all_or_nothing() -> None:
    world = GovWorld()
    assert world.call(6, BatchAll([_pay(1, 5), _pay(2, 500)])) == "balances.insufficient_balance"
    assert world.free(1) == 10 * PHA
    world.ok(6, BatchAll([_pay(1, 5), _pay(2, 5)]))
    assert world.free(1) == 15 * PHA and world.free(2) == 25 * PHA


def test_force_batch_runs_every_call() -> None:
    world = GovWorld()
    world.ok(6, ForceBatch([_pay(1, 500), _pay(2, 5), Remark(b"x")]))
    assert world.free(2) == 25 * PHA
    assert len(world.take_events(ev.ItemFailed)) == 1
    assert world.take_events(ev.BatchCompletedWithErrors) == [ev.BatchCompletedWithErrors()]


def test_each_call_checks_the_motions_share() -> None:
    """Half of the council may pause heartbeats but not authorize an upgrade (⅔) nor mint."""
    world = GovWorld()
    pause = SetHeartbeatPaused(True)
    upgrade = AuthorizeUpgrade(99, bytes(32))
    half, two_thirds = CouncilOrigin(1, 2), CouncilOrigin(2, 3)
    assert world.call(half, BatchAll([pause, upgrade])) == "dispatch.bad_origin"
    assert HEARTBEAT_PAUSED.get(world.state) is False
    mint = ForceSetBalance(AddressId(account(9)), 5 * PHA)
    assert world.call(two_thirds, BatchAll([pause, mint])) == "dispatch.bad_origin"
    world.ok(two_thirds, BatchAll([pause, upgrade]))
    assert HEARTBEAT_PAUSED.get(world.state) is True
    assert AUTHORIZED_UPGRADE.get(world.state) is not None


def test_a_batch_weighs_its_calls_and_is_bounded() -> None:
    calls = [_pay(1, 1), Remark(b"")]
    inner = sum(RUNTIME.call_spec(call, GOV).weight for call in calls)
    assert RUNTIME.weight_of(Batch(calls), GOV) == BATCH_WEIGHT + inner
    nested = Batch([Batch(calls)])
    assert RUNTIME.weight_of(nested, GOV) == 2 * BATCH_WEIGHT + inner
    world = GovWorld()
    assert world.call(6, Batch([Remark(b"")] * (MAX_CALLS + 1))) == "utility.too_many_calls"
