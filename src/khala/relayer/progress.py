"""What the relayer shows about sync: a redrawn bar while catching up, a line a minute after.

While any reachable worker is more than :data:`FOLLOWING_LAG` blocks behind the finalized
head, a terminal gets one rich progress bar redrawn in place (blocks done of the head, rate,
time left, workers reachable) and a log file or pipe gets a plain line at most every
:data:`PLAIN_EVERY_S`. Once every reachable worker follows the head the bar is closed and the
relayer prints one summary a minute (head, workers in sync, messages relayed), nothing per
block. The rate is measured over the last :data:`RATE_WINDOW_S`, so a pause (a worker down,
the node restarting) does not leave a stale ETA; unreachable workers do not count.
"""

from __future__ import annotations

import sys
from collections import deque
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

FOLLOWING_LAG = 2
"""Workers within this many blocks of the head are following it, not catching up."""
SUMMARY_EVERY_S = 60.0
"""While following, one summary line a minute instead of one per block."""
PLAIN_EVERY_S = 10.0
"""Without a terminal, a catching-up line at most this often (a bar cannot be redrawn)."""
RATE_WINDOW_S = 30.0
"""Blocks/s is measured over this much recent time."""


@dataclass(frozen=True, slots=True)
class SyncSnapshot:
    """One round's figures, as the sync loop reports them."""

    now: float
    """Monotonic seconds."""
    head: int
    """The finalized head."""
    lowest: int
    """The lowest height among reachable workers."""
    reachable: int
    """Workers that answered this round."""
    workers: int
    """Workers configured."""
    synced: int
    """Blocks imported by workers since start (all workers together)."""
    relayed: int
    """Messages relayed since start."""


class RateMeter:
    """Blocks per second over a sliding window of (time, total) samples."""

    def __init__(self, window_s: float = RATE_WINDOW_S) -> None:
        """Keep samples from the last ``window_s`` seconds."""
        self.window_s = window_s
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, now: float, total: int) -> float:
        """Record a sample; return the rate over the window (0 until two samples exist)."""
        self.samples.append((now, total))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.window_s:
            self.samples.popleft()
        first_time, first_total = self.samples[0]
        elapsed = now - first_time
        return (total - first_total) / elapsed if elapsed > 0 else 0.0


def _eta(remaining: int, rate: float) -> str:
    if rate <= 0:
        return "ETA unknown"
    seconds = int(remaining / rate)
    return f"ETA {seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"ETA {seconds}s"


class SyncProgress:
    """Turns each round's :class:`SyncSnapshot` into the bar, plain lines or summaries."""

    def __init__(
        self, stream: TextIO | None = None, *, terminal: bool | None = None, width: int = 100
    ) -> None:
        """Write to ``stream`` (stderr); draw a bar when it is a terminal (or ``terminal``)."""
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.width = width
        self.rate = RateMeter()
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._last_plain = float("-inf")
        self._summarised: float | None = None
        self._relayed_at_summary = 0

    def report(self, snap: SyncSnapshot) -> None:
        """Show one round."""
        rate = self.rate.add(snap.now, snap.synced)
        if snap.reachable == 0:
            return
        remaining = max(snap.head - snap.lowest, 0)
        if remaining > FOLLOWING_LAG:
            self._catching_up(snap, rate, remaining)
            return
        self.close()
        if self._summarised is None:
            self._summarised = snap.now
            self._relayed_at_summary = snap.relayed
            self._print(f"caught up at #{snap.head}: {snap.reachable}/{snap.workers} workers")
            return
        if snap.now - self._summarised >= SUMMARY_EVERY_S:
            relayed = snap.relayed - self._relayed_at_summary
            self._print(
                f"following #{snap.head}: {snap.reachable}/{snap.workers} workers in sync, "
                f"{relayed} messages relayed in the last {snap.now - self._summarised:.0f}s"
            )
            self._summarised = snap.now
            self._relayed_at_summary = snap.relayed

    def close(self) -> None:
        """Stop redrawing the bar, leaving its last state on screen."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._task = None

    def _catching_up(self, snap: SyncSnapshot, rate: float, remaining: int) -> None:
        self._summarised = None
        shown_rate = f"{rate:,.0f} blocks/s"
        eta = _eta(remaining, rate)
        workers = f"workers {snap.reachable}/{snap.workers}"
        if not self.terminal:
            if snap.now - self._last_plain >= PLAIN_EVERY_S:
                self._last_plain = snap.now
                self._print(
                    f"sync {snap.lowest}/{snap.head} blocks  {shown_rate}  {eta}  {workers}"
                )
            return
        if self._bar is None:
            self._bar = self._new_bar()
            self._task = self._bar.add_task(
                "sync", total=snap.head, rate=shown_rate, eta=eta, workers=workers
            )
            self._bar.start()
        if self._task is not None:
            self._bar.update(
                self._task,
                completed=snap.lowest,
                total=snap.head,
                rate=shown_rate,
                eta=eta,
                workers=workers,
            )
            self._bar.refresh()

    def _new_bar(self) -> Progress:
        console = Console(file=self.stream, force_terminal=True, width=self.width)
        return Progress(
            TextColumn("sync"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}  {task.fields[eta]}  {task.fields[workers]}"),
            console=console,
            auto_refresh=False,
        )

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)
