"""The relayer's sync display: a redrawn bar or sparse lines, then a summary a minute."""

from __future__ import annotations

import io

from khala.relayer.progress import (
    PLAIN_EVERY_S,
    SUMMARY_EVERY_S,
    RateMeter,
    SyncProgress,
    SyncSnapshot,
)


def _snap(
    now: float, lowest: int, head: int = 1_000, *, synced: int = 0, relayed: int = 0
) -> SyncSnapshot:
    return SyncSnapshot(now, head, lowest, 2, 3, synced, relayed)


def test_the_rate_covers_recent_time_only() -> None:
    """After a pause the rate falls to what the window saw, instead of a lifetime average."""
    meter = RateMeter(window_s=10)
    assert meter.add(0, 0) == 0
    assert meter.add(5, 500) == 100
    assert meter.add(10, 1_000) == 100
    meter.add(20, 1_000)
    assert meter.add(30, 1_000) == 0  # nothing happened in the last 10 s


def test_without_a_terminal_catching_up_prints_a_line_every_ten_seconds() -> None:
    """A log file gets sparse plain lines with rate, ETA and reachable workers."""
    out = io.StringIO()
    progress = SyncProgress(out, terminal=False)
    for second in range(0, 25):
        progress.report(_snap(second, 40 * second, synced=40 * second))
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 == 25 // int(PLAIN_EVERY_S) + 1
    assert lines[1] == "sync 400/1000 blocks  40 blocks/s  ETA 15s  workers 2/3"


def test_a_terminal_gets_one_bar_redrawn_in_place() -> None:
    """Rich redraws the bar (carriage returns / cursor moves), never one line per round."""
    out = io.StringIO()
    progress = SyncProgress(out, terminal=True, width=120)
    for second in range(0, 5):
        progress.report(_snap(second, 100 * second, synced=100 * second))
    progress.close()
    text = out.getvalue()
    assert "400/1000" in text and "100 blocks/s" in text and "workers 2/3" in text
    assert text.count("\n") <= 2  # redrawn in place, not scrolled


def test_following_prints_caught_up_then_one_summary_a_minute() -> None:
    """Once every reachable worker is at the head: one line, then a summary per minute."""
    out = io.StringIO()
    progress = SyncProgress(out, terminal=False)
    progress.report(_snap(0, 990, synced=990))
    for second in range(1, 130):
        progress.report(_snap(second, 999 + second, head=1_000 + second, relayed=second // 10))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("sync 990/1000")
    assert lines[1] == "caught up at #1001: 2/3 workers"
    assert lines[2:] == [
        "following #1061: 2/3 workers in sync, 6 messages relayed in the last 60s",
        "following #1121: 2/3 workers in sync, 6 messages relayed in the last 60s",
    ]
    assert SUMMARY_EVERY_S == 60


def test_nothing_is_shown_while_no_worker_answers() -> None:
    """A fleet that is down shows no ETA growing forever (the sync loop logs the backoff)."""
    out = io.StringIO()
    progress = SyncProgress(out, terminal=False)
    progress.report(SyncSnapshot(0, 1_000, 0, 0, 3, 0, 0))
    assert out.getvalue() == ""
