"""The worker's benchmark: a CPU loop counting iterations, paused while the worker catches up.

One iteration hashes a 1 MiB buffer with BLAKE2b (about 1 ms on a current core; hashlib
releases the GIL for buffers this large, so the loop does not stall the worker's API). The
chain's score is iterations per 6 s, capped at 6000, so one busy core reaches about the cap.
``duty`` runs the loop for that fraction of each 100 ms period: dev networks share one machine
between many workers and use a small duty; a production worker runs at 1.0.
"""

from __future__ import annotations

import hashlib
import threading
import time

PERIOD_S = 0.1
"""Length of one duty cycle."""
BUFFER = bytes(1 << 20)
"""The data each iteration hashes."""


class BenchmarkLoop:
    """A background thread counting iterations while not paused."""

    def __init__(self, duty: float = 1.0) -> None:
        """Prepare (``duty`` in (0, 1]); call :meth:`start` to run."""
        if not 0 < duty <= 1:
            raise ValueError("duty must be in (0, 1]")
        self.duty = duty
        self.paused = True
        self._count = 0
        self._counted_ns = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="benchmark", daemon=True)

    def start(self) -> None:
        """Start the thread (it stays idle while paused)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread."""
        self._stop.set()

    def iterations(self) -> int:
        """Iterations counted so far."""
        return self._count

    def counted_ms(self) -> int:
        """Milliseconds spent counting (unpaused duty periods) so far, by the monotonic clock.

        A benchmark reports only after counting for most of its nominal time, so its score is
        a rate over real work, however the blocks that time it arrive.
        """
        return self._counted_ns // 1_000_000

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.paused:
                self._stop.wait(PERIOD_S)
                continue
            began = time.monotonic_ns()
            busy_until = time.monotonic() + PERIOD_S * self.duty
            while time.monotonic() < busy_until:
                hashlib.blake2b(BUFFER).digest()
                self._count += 1
            rest = PERIOD_S * (1 - self.duty)
            if rest > 0:
                self._stop.wait(rest)
            self._counted_ns += time.monotonic_ns() - began
