"""Scheduler: named root calls run at their block, can be moved and cancelled, fail cleanly."""

from __future__ import annotations

from typing import Any

import pytest

from khala.primitives.scale import Err, Ok, codec_of
from khala.runtime.dispatch import RuntimeCall, module_error_code
from khala.runtime.modules.balances.calls import ForceSetBalance, TransferAllowDeath
from khala.runtime.modules.scheduler import events as ev
from khala.runtime.modules.scheduler.calls import CancelNamed, RescheduleNamed, ScheduleNamed
from khala.runtime.modules.scheduler.state import AGENDA, LOOKUP
from khala.runtime.modules.scheduler.types import task_id, task_name
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.sudo.events import Sudid
from khala.runtime.types import AddressId, ModuleDispatchError
from tests.runtime.harness import PHA, Harness, ed

ALICE = ed("Alice")
BOB = ed("Bob")
NAME = task_id("start-mining") or b""


class Chain:
    """A dev chain whose sudo key is Alice."""

    def __init__(self) -> None:
        self.harness = Harness({ALICE.public_key: 1000 * PHA}, sudo=ALICE.public_key)
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
    error, events = chain.sudo(ScheduleNamed(NAME, when, set_bob(7 * PHA)))
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
    chain.sudo(ScheduleNamed(NAME, first, set_bob(7 * PHA)))
    later = first + 3
    error, events = chain.sudo(RescheduleNamed(NAME, later))
    assert error is None
    assert ev.Canceled(first, 0) in events and ev.Scheduled(later, 0) in events
    chain.empty(later - chain.number - 1)
    assert chain.harness.free(BOB) == 0
    chain.empty(1)
    assert chain.harness.free(BOB) == 7 * PHA

    other = task_id("other") or b""
    chain.sudo(ScheduleNamed(other, chain.number + 3, set_bob(1 * PHA)))
    error, events = chain.sudo(CancelNamed(other))
    assert error is None and any(isinstance(event, ev.Canceled) for event in events)
    chain.empty(3)
    assert chain.harness.free(BOB) == 7 * PHA


def test_a_failing_task_is_recorded_and_rolled_back(chain: Chain) -> None:
    """A task whose call fails leaves nothing written and its error in ``Dispatched``."""
    when = chain.number + 2
    bad = TransferAllowDeath(AddressId(BOB.public_key), 1)  # root cannot transfer
    chain.sudo(ScheduleNamed(NAME, when, bad))
    events = chain.empty(1)
    dispatched = next(event for event in events if isinstance(event, ev.Dispatched))
    assert isinstance(dispatched.result, Err)
    assert LOOKUP.get(chain.harness.state(), NAME) is None


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda n: ScheduleNamed(NAME, n, set_bob(1)), "scheduler.target_block_number_in_past"),
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
    chain.sudo(ScheduleNamed(NAME, when, set_bob(1)))
    assert chain.sudo(ScheduleNamed(NAME, when + 1, set_bob(1)))[0] == "scheduler.named"
    assert chain.sudo(RescheduleNamed(NAME, when))[0] == "scheduler.reschedule_no_change"


def test_signed_accounts_cannot_schedule(chain: Chain) -> None:
    """Only root may schedule."""
    raw = chain.harness.sign(ALICE, ScheduleNamed(NAME, 10, set_bob(1)), nonce=chain.nonce)
    chain.harness.block([raw])
    assert chain.harness.free(BOB) == 0
    assert LOOKUP.get(chain.harness.state(), NAME) is None


def test_call_encoding_round_trips() -> None:
    """A scheduled call is a whole RuntimeCall inside the scheduler's call."""
    call = ScheduleNamed(NAME, 100, set_bob(5))
    runtime_call = codec_of(RuntimeCall)
    assert runtime_call.decode(runtime_call.encode(call)) == call
    assert runtime_call.encode(call)[:2] == bytes([7, 2])
