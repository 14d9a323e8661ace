"""Governance replaces the authority set: scheduled, checked, enacted at its block."""

from __future__ import annotations

from typing import Any

from khala.primitives.scale import Err, Ok
from khala.runtime.dispatch import module_error_code
from khala.runtime.modules.authorship.calls import ScheduleChange
from khala.runtime.modules.authorship.constants import MAX_AUTHORITIES
from khala.runtime.modules.authorship.events import ChangeScheduled, SetChanged
from khala.runtime.modules.authorship.state import (
    AUTHORITIES,
    AUTHORITY_SET_ID,
    PENDING_CHANGE,
    Authority,
)
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.sudo.events import Sudid
from khala.runtime.modules.system.events import ExtrinsicFailed
from tests.runtime.harness import PHA, Harness, ed

ALICE, BOB, CHARLIE = ed("Alice"), ed("Bob"), ed("Charlie")


def _authority(name: str) -> Authority:
    key = ed(name).public_key
    return Authority(key, key)


class Chain:
    def __init__(self) -> None:
        self.harness = Harness({ALICE.public_key: 1000 * PHA}, sudo=ALICE.public_key)
        self.nonce = 0

    def sudo(self, call: Any) -> Any:
        raw = self.harness.sign(ALICE, Sudo(call), nonce=self.nonce)
        self.nonce += 1
        self.harness.block([raw])
        return next(e.sudo_result for e in self.harness.events() if isinstance(e, Sudid))


def _code(result: Any) -> str:
    assert isinstance(result, Err)
    return module_error_code(result.error.error.index, result.error.error.error[0])


def test_a_scheduled_set_takes_effect_at_its_block_with_the_next_set_id() -> None:
    """The change waits ``delay`` blocks; its block enacts it; the set id moves to 1."""
    chain = Chain()
    new = [_authority("Bob"), _authority("Charlie"), _authority("Dave")]
    assert chain.sudo(ScheduleChange(new, 2)) == Ok(())
    scheduled_in = chain.harness.head.number
    at = scheduled_in + 3
    assert [e for e in chain.harness.events() if isinstance(e, ChangeScheduled)] == [
        ChangeScheduled(at, 1, new)
    ]
    while chain.harness.head.number < at - 1:
        chain.harness.block([])
        assert AUTHORITIES.get(chain.harness.state()) == [_authority("Alice")]
        assert AUTHORITY_SET_ID.get(chain.harness.state()) == 0
    chain.harness.block([])  # block `at`: authored by the old set, enacts the new one
    assert chain.harness.head.number == at
    assert AUTHORITIES.get(chain.harness.state()) == new
    assert AUTHORITY_SET_ID.get(chain.harness.state()) == 1
    assert PENDING_CHANGE.get(chain.harness.state()) is None
    assert SetChanged(1) in chain.harness.events()


def test_bad_sets_and_a_second_pending_change_are_refused() -> None:
    """Empty, too large, duplicated keys, or while another change is pending."""
    chain = Chain()
    assert _code(chain.sudo(ScheduleChange([], 0))) == "authorship.empty_set"
    too_many = [_authority(f"A{index}") for index in range(MAX_AUTHORITIES + 1)]
    assert _code(chain.sudo(ScheduleChange(too_many, 0))) == "authorship.too_many_authorities"
    twice = [_authority("Bob"), _authority("Bob")]
    assert _code(chain.sudo(ScheduleChange(twice, 0))) == "authorship.duplicate_key"
    assert chain.sudo(ScheduleChange([_authority("Bob")], 5)) == Ok(())
    again = chain.sudo(ScheduleChange([_authority("Charlie")], 0))
    assert _code(again) == "authorship.change_pending"


def test_a_signed_account_cannot_change_the_set() -> None:
    """Only root or two thirds of the council may schedule a change."""
    chain = Chain()
    raw = chain.harness.sign(ALICE, ScheduleChange([_authority("Bob")], 0), nonce=0)
    chain.harness.block([raw])
    failed = [e for e in chain.harness.events() if isinstance(e, ExtrinsicFailed)]
    assert len(failed) == 1
    assert AUTHORITIES.get(chain.harness.state()) == [_authority("Alice")]
