"""wait_until: polls, says each new reason once, gives up with a typed timeout."""

from __future__ import annotations

import pytest

from khala.sdk.errors import SdkError, SdkErrorCode
from khala.sdk.waiting import NotYet, wait_until


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_each_new_reason_is_said_once_and_the_result_returned() -> None:
    answers: list[object] = [
        SdkError(SdkErrorCode.CONNECTION_FAILED, "refused"),
        NotYet("no score"),
        NotYet("no score"),
        NotYet("mining starts at block #14"),
        "ready",
    ]
    said: list[str] = []
    clock = _Clock()

    def check() -> str | NotYet:
        answer = answers.pop(0)
        if isinstance(answer, SdkError):
            raise answer
        assert isinstance(answer, str | NotYet)
        return answer

    result = wait_until(check, 60, on_wait=said.append, clock=clock, sleep=clock.sleep)
    assert result == "ready" and clock.now == 4.0
    assert said == [
        "waiting: no answer yet (refused)",
        "waiting: no score",
        "waiting: mining starts at block #14",
    ]


def test_it_gives_up_naming_the_last_reason() -> None:
    clock = _Clock()
    with pytest.raises(SdkError) as caught:
        wait_until(lambda: NotYet("no score"), 5, on_wait=lambda _: None, clock=clock,
                   sleep=clock.sleep)  # fmt: skip
    assert caught.value.code is SdkErrorCode.TIMEOUT
    assert caught.value.message == "gave up after 5 s, still waiting: no score"
    assert clock.now == 5.0


def test_other_errors_are_not_waited_out() -> None:
    def check() -> NotYet:
        raise SdkError(SdkErrorCode.RPC_ERROR, "bad request")

    with pytest.raises(SdkError) as caught:
        wait_until(check, 60, on_wait=lambda _: None, sleep=lambda _: None)
    assert caught.value.code is SdkErrorCode.RPC_ERROR
