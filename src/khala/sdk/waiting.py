"""Waiting for something on the network to become true, saying what is awaited.

Operators' commands often cannot act yet: the worker has not registered, its benchmark has
not scored, mining starts in 40 blocks. With ``--wait SECONDS`` such a command polls instead
of failing, prints one line each time the reason changes (quiet otherwise), and gives up with
``sdk.timeout`` naming the last reason. A check returns the result when done, or a
:class:`NotYet` saying why not; an unreachable service is one more reason to wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from khala.sdk.errors import SdkError, SdkErrorCode

T = TypeVar("T")

POLL_S = 1.0
"""Seconds between checks: a dev chain makes a block every one to six seconds."""


@dataclass(frozen=True, slots=True)
class NotYet:
    """Why a check is not satisfied yet (a sentence for the operator)."""

    reason: str
    """What is awaited, e.g. "mining starts at block #40, about ... (in 12 s)"."""


def wait_until(
    check: Callable[[], T | NotYet],
    timeout_s: float,
    *,
    on_wait: Callable[[str], None],
    poll_s: float = POLL_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Poll ``check`` until it returns a result; ``on_wait`` hears each new reason once.

    Raises:
        SdkError: ``sdk.timeout`` after ``timeout_s`` seconds, naming the last reason.
    """
    deadline = clock() + timeout_s
    said = ""
    while True:
        try:
            outcome = check()
        except SdkError as error:
            if error.code is not SdkErrorCode.CONNECTION_FAILED:
                raise
            outcome = NotYet(f"no answer yet ({error.message})")
        if not isinstance(outcome, NotYet):
            return outcome
        if outcome.reason != said:
            said = outcome.reason
            on_wait(f"waiting: {said}")
        if clock() >= deadline:
            raise SdkError(
                SdkErrorCode.TIMEOUT, f"gave up after {timeout_s:g} s, still waiting: {said}"
            )
        sleep(poll_s)
