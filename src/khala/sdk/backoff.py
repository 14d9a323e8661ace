"""Exponential backoff: how long to wait before retrying something that is not there yet."""

from __future__ import annotations

from dataclasses import dataclass

INITIAL_DELAY_S = 0.5
"""The first retry comes quickly: a node that is starting answers within a second or two."""
MAX_DELAY_S = 30.0
"""Retries never wait longer than this, so a returning service is noticed within 30 s."""


@dataclass(slots=True)
class Backoff:
    """Delays that double from ``initial_s`` up to ``max_s``; :meth:`reset` after a success."""

    initial_s: float = INITIAL_DELAY_S
    """The first delay."""
    max_s: float = MAX_DELAY_S
    """The longest delay."""
    attempts: int = 0
    """Failures since the last success."""

    def next_delay(self) -> float:
        """Record a failure and return how long to wait before the next attempt."""
        delay: float = min(self.initial_s * float(2**self.attempts), self.max_s)
        self.attempts += 1
        return delay

    def reset(self) -> None:
        """Record a success: the next failure waits the initial delay again."""
        self.attempts = 0
