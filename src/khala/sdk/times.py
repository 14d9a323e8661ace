"""Times as people read them: ISO-8601 in UTC, and "in 3 min" / "2 h ago" relative to now."""

from __future__ import annotations

from datetime import UTC, datetime

MINUTE = 60
"""Seconds in a minute."""
HOUR = 3600
"""Seconds in an hour."""
DAY = 86_400
"""Seconds in a day."""


def iso(unix_seconds: int) -> str:
    """``2026-11-29T16:06:35Z``."""
    return datetime.fromtimestamp(unix_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _span(seconds: int) -> str:
    for unit, size in (("d", DAY), ("h", HOUR), ("min", MINUTE)):
        if seconds >= size:
            return f"{round(seconds / size)} {unit}"
    return f"{seconds} s"


def relative(unix_seconds: int, now: int) -> str:
    """``in 3 min``, ``2 h ago`` or ``now``, rounded to the largest sensible unit."""
    delta = unix_seconds - now
    if delta == 0:
        return "now"
    return f"in {_span(delta)}" if delta > 0 else f"{_span(-delta)} ago"


def when(unix_seconds: int, now: int) -> str:
    """Both forms: ``2026-11-29T16:06:35Z (in 3 min)``."""
    return f"{iso(unix_seconds)} ({relative(unix_seconds, now)})"
