"""Wall-clock time as an interface, so tests control it."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """A source of the current time."""

    def now_ms(self) -> int:
        """Milliseconds since the Unix epoch."""
        ...


class SystemClock:
    """The machine's clock."""

    def now_ms(self) -> int:
        """Milliseconds since the Unix epoch."""
        return time.time_ns() // 1_000_000


class ManualClock:
    """A clock that moves only when told to (tests)."""

    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        """Start at ``start_ms``."""
        self.current = start_ms

    def now_ms(self) -> int:
        """The set time."""
        return self.current

    def advance(self, milliseconds: int) -> None:
        """Move the time forward."""
        self.current += milliseconds
