"""Scheduler: named root calls run at their block, can be moved and cancelled, fail cleanly."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from khala.primitives.scale import Err, Ok, codec_of
from khala.runtime.dispatch import RuntimeCall, module_error_code
from khala.runtime.modules.balances.calls import ForceSetBalance, TransferAllowDeath
from khala.runtime.modules.scheduler import events as ev
from khala.runtime.modules.scheduler.calls import (
    Cancel,
    CancelNamed,
    RescheduleNamed,
    Schedule,
    ScheduleAfter,
    ScheduleNamed,
)
from khala.runtime.modules.scheduler.constants import (
    HARD_DEADLINE,
    MAXIMUM_WEIGHT_PERCENT,
    TASK_WEIGHT,
)
from khala.runtime.modules.scheduler.state import AGENDA, INCOMPLETE_SINCE, LOOKUP
from khala.runtime.modules.scheduler.types import task_id, task_name
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.sudo.events import Sudid
from khala.runtime.presets import DEV, Preset
from khala.runtime.table import RUNTIME
from khala.runtime.types import AddressId, ModuleDispatchError
from tests.runtime.harness import PHA, Harness, ed

ALICE = ed("Alice")
BOB = ed("Bob")
NAME = task_id("start-mining") or b""


class Chain:
    """A dev chain whose sudo key is Alice."""

    def __init__(self, preset: Preset = DEV) -> None:
        self.harness = Harness({ALICE.public_key: 1000 * PHA}, preset, sudo=ALICE.public_key)
        self.nonce = 0

    def sudo(self, call: Any) -> tuple[str | None, list[Any]]:
        """Submit ``call`` through sudo; return the inner error code and the block's events."""
        raw = self.harness.sign(ALICE, Sudo(call), nonce=self.nonce)
        self.nonce += 1
        self.harness.block([raw])
        events = self.harness.events()
        result = next(event.sudo_result for event in events if isinstance(event, Sudid))
        if isinstance(result, Err):
            error = result.error
            assert isinstance(error, ModuleDispatchError)
            return module_error_code(error.error.index, error.error.error[0]), events
        return None, events

    def empty(self, blocks: int) -> list[Any]:
        """Author empty blocks; return the events of the last one."""
        for _ in range(blocks):
            self.harness.block([])
        return self.harness.events()

    @property
    def number(self) -> int:
        return self.harness.head.number


def set_bob(amount: int) -> RuntimeCall:
    return ForceSetBalance(AddressId(BOB.public_key), amount)


@pytest.fixture
def chain() -> Chain:
    return Chain()


def test_task_names_round_trip() -> None:
    """Names are UTF-8, 1-32 bytes, zero-padded on chain."""
    assert b"start-mining" + bytes(20) == NAME
    assert task_name(NAME) == "start-mining"
    assert task_id("") is None and task_id("x" * 33) is None


def test_a_named_call_runs_as_root_at_its_block(chain: Chain) -> None:
    """The call runs in its block's initialization and leaves no trace in storage after."""
    when = chain.number + 3
    error, events = chain.sudo(ScheduleNamed(NAME, when, None, 0, set_bob(7 * PHA)))
    assert error is None and ev.Scheduled(when, 0) in events
    assert LOOKUP.get(chain.harness.state(), NAME) is not None
    chain.empty(1)
    assert chain.harness.free(BOB) == 0  # not yet
    events = chain.empty(1)
    assert chain.number == when
    dispatched = [event for event in events if isinstance(event, ev.Dispatched)]
    assert len(dispatched) == 1 and dispatched[0].result == Ok(())
    assert dispatched[0].id == NAME and dispatched[0].task.when == when
    assert chain.harness.free(BOB) == 7 * PHA
    state = chain.harness.state()
    assert LOOKUP.get(state, NAME) is None and AGENDA.get(state, when) == []


def test_reschedule_delays_and_cancel_removes(chain: Chain) -> None:
    """Moving the task delays the effect; a cancelled task never runs."""
    first = chain.number + 4
    chain.sudo(ScheduleNamed(NAME, first, None, 0, set_bob(7 * PHA)))
    later = first + 3
    error, events = chain.sudo(RescheduleNamed(NAME, later))
    assert error is None
    assert ev.Canceled(first, 0) in events and ev.Scheduled(later, 0) in events
    chain.empty(later - chain.number - 1)
    assert chain.harness.free(BOB) == 0
    chain.empty(1)
    assert chain.harness.free(BOB) == 7 * PHA

    other = task_id("other") or b""
    chain.sudo(ScheduleNamed(other, chain.number + 3, None, 0, set_bob(1 * PHA)))
    error, events = chain.sudo(CancelNamed(other))
    assert error is None and any(isinstance(event, ev.Canceled) for event in events)
    chain.empty(3)
    assert chain.harness.free(BOB) == 7 * PHA


def test_a_failing_task_is_recorded_and_rolled_back(chain: Chain) -> None:
    """A task whose call fails leaves nothing written and its error in ``Dispatched``."""
    when = chain.number + 2
    bad = TransferAllowDeath(AddressId(BOB.public_key), 1)  # root cannot transfer
    chain.sudo(ScheduleNamed(NAME, when, None, 0, bad))
    events = chain.empty(1)
    dispatched = next(event for event in events if isinstance(event, ev.Dispatched))
    assert isinstance(dispatched.result, Err)
    assert LOOKUP.get(chain.harness.state(), NAME) is None


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda n: ScheduleNamed(NAME, n, None, 0, set_bob(1)),
            "scheduler.target_block_number_in_past",
        ),
        (lambda n: RescheduleNamed(NAME, n + 5), "scheduler.not_found"),
        (lambda n: CancelNamed(NAME), "scheduler.not_found"),
    ],
)
def test_bad_requests_are_typed(chain: Chain, make: Any, expected: str) -> None:
    """The current block is in the past; unknown names are not found."""
    error, _ = chain.sudo(make(chain.number + 1))  # the sudo runs in block number + 1
    assert error == expected


def test_duplicates_and_no_change_are_refused(chain: Chain) -> None:
    """A name is scheduled once; moving it to where it is changes nothing."""
    when = chain.number + 5
    chain.sudo(ScheduleNamed(NAME, when, None, 0, set_bob(1)))
    assert chain.sudo(ScheduleNamed(NAME, when + 1, None, 0, set_bob(1)))[0] == "scheduler.named"
    assert chain.sudo(RescheduleNamed(NAME, when))[0] == "scheduler.reschedule_no_change"


def test_signed_accounts_cannot_schedule(chain: Chain) -> None:
    """Only root may schedule."""
    raw = chain.harness.sign(ALICE, ScheduleNamed(NAME, 10, None, 0, set_bob(1)), nonce=chain.nonce)
    chain.harness.block([raw])
    assert chain.harness.free(BOB) == 0
    assert LOOKUP.get(chain.harness.state(), NAME) is None


def test_call_encoding_round_trips() -> None:
    """A scheduled call is a whole RuntimeCall inside the scheduler's call."""
    call = ScheduleNamed(NAME, 100, None, 0, set_bob(5))
    runtime_call = codec_of(RuntimeCall)
    assert runtime_call.decode(runtime_call.encode(call)) == call
    assert runtime_call.encode(call)[:2] == bytes([7, 2])


def _named(name: str) -> bytes:
    return task_id(name) or b""


def _dispatched(events: list[Any]) -> list[Any]:
    return [event for event in events if isinstance(event, ev.Dispatched)]


def test_a_periodic_task_runs_count_times_period_apart(chain: Chain) -> None:
    """``(period, count)``: ``count`` runs in all, each ``period`` blocks after the last."""
    first = chain.number + 2
    tick = _named("tick")
    chain.sudo(ScheduleNamed(tick, first, (3, 3), 0, set_bob(chain.number)))
    runs = []
    for _ in range(12):
        events = chain.empty(1)
        if _dispatched(events):
            runs.append(chain.number)
    assert runs == [first, first + 3, first + 6]
    assert LOOKUP.get(chain.harness.state(), tick) is None
    assert AGENDA.get(chain.harness.state(), first + 9) == []


def test_a_named_periodic_task_can_be_cancelled_between_runs(chain: Chain) -> None:
    """After its first run the name points at the next run, which cancel removes."""
    first = chain.number + 2
    tick = _named("tick")
    chain.sudo(ScheduleNamed(tick, first, (2, 5), 0, set_bob(1)))
    chain.empty(1)
    address = LOOKUP.get(chain.harness.state(), tick)
    assert address is not None and address.when == first + 2
    stored = AGENDA.get(chain.harness.state(), first + 2)[address.index]
    assert stored is not None and stored.maybe_periodic == (2, 3)  # three runs left after it
    assert chain.sudo(CancelNamed(tick))[0] is None
    assert not any(_dispatched(chain.empty(1)) for _ in range(6))


def test_count_one_or_period_zero_is_a_one_off(chain: Chain) -> None:
    """FRAME's normalisation: a count below 2 or a zero period runs once."""
    when = chain.number + 5
    chain.sudo(ScheduleNamed(_named("a"), when, (0, 5), 0, set_bob(1)))
    chain.sudo(ScheduleNamed(_named("b"), when + 1, (4, 1), 0, set_bob(2)))
    state = chain.harness.state()
    assert [task.maybe_periodic for task in AGENDA.get(state, when) if task] == [None]
    assert [task.maybe_periodic for task in AGENDA.get(state, when + 1) if task] == [None]


def _weight_chain(tasks_per_block: int) -> tuple[Chain, int]:
    """A chain whose scheduler limit fits ``tasks_per_block`` ForceSetBalance tasks, not one more.

    The block weight is the largest whose 80 % stays below one more task (and the sudo
    extrinsic that schedules them still fits in a block).
    """
    task_weight = TASK_WEIGHT + RUNTIME.call_spec(set_bob(1), DEV).weight
    block_weight = ((tasks_per_block + 1) * task_weight * 100 - 1) // MAXIMUM_WEIGHT_PERCENT
    chain = Chain(replace(DEV, max_block_weight=block_weight))
    limit = block_weight * MAXIMUM_WEIGHT_PERCENT // 100
    assert tasks_per_block * task_weight <= limit < (tasks_per_block + 1) * task_weight
    return chain, limit


def test_overflow_is_carried_to_the_next_block_in_priority_order() -> None:
    """Two tasks fit per block: the five due tasks run 2 + 2 + 1, most urgent first."""
    chain, _ = _weight_chain(2)
    when = chain.number + 6
    priorities = {"p200": 200, "p100": 100, "p150": 150, "p90": 90, "p250": 250}
    for name, priority in priorities.items():
        chain.sudo(ScheduleNamed(_named(name), when, None, priority, set_bob(priority * PHA)))
    order: list[list[str]] = []
    while chain.number < when:
        chain.empty(1)
    order.append([task_name(bytes(e.id)) for e in _dispatched(chain.harness.events())])
    assert INCOMPLETE_SINCE.get(chain.harness.state()) == when
    for _ in range(2):
        chain.empty(1)
        order.append([task_name(bytes(e.id)) for e in _dispatched(chain.harness.events())])
    assert order == [["p90", "p100"], ["p150", "p200"], ["p250"]]
    assert INCOMPLETE_SINCE.get(chain.harness.state()) is None
    assert AGENDA.get(chain.harness.state(), when) == []
    assert chain.harness.free(BOB) == 250 * PHA  # the last task ran last


def test_hard_deadline_tasks_ignore_the_limit() -> None:
    """Priorities 0..63 all run in their block even when they exceed the limit."""
    chain, _ = _weight_chain(2)
    when = chain.number + 6
    for name in ("a", "b", "c", "d"):
        chain.sudo(ScheduleNamed(_named(name), when, None, HARD_DEADLINE, set_bob(1)))
    while chain.number < when:
        chain.empty(1)
    assert len(_dispatched(chain.harness.events())) == 4
    assert INCOMPLETE_SINCE.get(chain.harness.state()) is None


def test_a_task_heavier_than_the_limit_still_runs_first_in_a_block() -> None:
    """A block always runs at least one due task, so no agenda is stuck forever."""
    chain, limit = _weight_chain(2)
    heavy = Sudo(set_bob(9))  # weighs more than the limit (and fails as root: still ran)
    assert RUNTIME.call_spec(heavy, DEV).weight > limit
    when = chain.number + 3
    chain.sudo(ScheduleNamed(_named("heavy"), when, None, 255, heavy))
    chain.sudo(ScheduleNamed(_named("heavy2"), when, None, 255, heavy))
    while chain.number < when:
        chain.empty(1)
    assert [task_name(bytes(e.id)) for e in _dispatched(chain.harness.events())] == ["heavy"]
    chain.empty(1)
    assert [task_name(bytes(e.id)) for e in _dispatched(chain.harness.events())] == ["heavy2"]


def test_anonymous_tasks_are_cancelled_by_address(chain: Chain) -> None:
    """``schedule``/``schedule_after`` make unnamed tasks; ``cancel(when, index)`` removes one."""
    error, events = chain.sudo(ScheduleAfter(6, None, 0, set_bob(5 * PHA)))
    assert error is None
    placed = next(event for event in events if isinstance(event, ev.Scheduled))
    assert placed.when == chain.number + 6
    assert chain.sudo(Schedule(placed.when, None, 0, set_bob(6 * PHA)))[0] is None
    assert chain.sudo(Cancel(placed.when, placed.index))[0] is None
    assert chain.sudo(Cancel(placed.when, placed.index))[0] == "scheduler.not_found"
    while chain.number < placed.when:
        chain.empty(1)
    assert chain.harness.free(BOB) == 6 * PHA
