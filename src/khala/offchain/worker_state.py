"""The worker state machine (DESIGN §6).

One implementation, run by a worker for itself and replayed by the gatekeepers for every
worker.

It follows what the chain tells a worker, in block order: ``BenchStart`` (benchmark for N
blocks), ``ComputingStarted`` / ``ComputingStopped`` (a session) and each block's
``HeartbeatChallenge``. Effects go through :class:`WorkerEffects`: a real worker reads its
benchmark counter and queues signed messages; a gatekeeper's replay records which heartbeats it
expects. The machine itself is deterministic and has no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from fractions import Fraction
from typing import Protocol

from khala.primitives.hashing import blake2_256
from khala.runtime.modules.computation.challenge import is_hit


class WorkerEffects(Protocol):
    """What the machine asks of its host."""

    def iterations(self) -> int:
        """The benchmark counter now (a replaying gatekeeper answers 0)."""
        ...

    def counted_ms(self) -> int:
        """Milliseconds the benchmark has been counting (a replaying gatekeeper answers 0)."""
        ...

    def bench_report(self, start_time: int, iterations: int) -> None:
        """Send ``BenchReport{start_time, iterations}``."""
        ...

    def heartbeat(
        self, session_id: int, challenge_block: int, challenge_time: int, iterations: int
    ) -> None:
        """Answer a challenge that hit this worker."""
        ...


BENCH_MIN_COUNTED = Fraction(3, 4)
"""A benchmark reports once it has counted at least this share of its nominal time
(``duration`` blocks × the block time) on the worker's own clock: enough that a burst of
withheld blocks cannot end it early, with slack for the time blocks take to arrive."""


class Phase(IntEnum):
    """Where the worker is."""

    REGISTERED = 0
    """Waiting for a benchmark request."""
    BENCHMARKING = 1
    """Counting iterations for the requested number of blocks."""
    READY = 2
    """Benchmark reported; not computing."""
    COMPUTING = 3
    """In a computing session: answers challenges."""


@dataclass(slots=True)
class WorkerStateMachine:
    """One worker's view of its own mining life."""

    pubkey: bytes
    """The worker's identity key."""
    phase: Phase = Phase.REGISTERED
    """Where it is."""
    bench_until: int = 0
    """The block at which the running benchmark ends."""
    bench_start_time: int = 0
    """Block time (s) when the benchmark started."""
    bench_start_iterations: int = 0
    """The counter when the benchmark started."""
    bench_start_counted_ms: int = 0
    """The benchmark's counted time when it started."""
    bench_min_ms: int = 0
    """Counted time the benchmark needs before it reports (see :data:`BENCH_MIN_COUNTED`)."""
    session_id: int = 0
    """The computing session's id."""
    session_iterations: int = 0
    """The counter when the session started."""
    heartbeats: int = 0
    """Heartbeats sent in this process (for status displays)."""

    pubkey_hash: int = field(init=False)
    """``blake2_256(pubkey)`` as a big-endian integer (what challenges compare), hashed once."""

    def __post_init__(self) -> None:
        """Hash the key once."""
        self.pubkey_hash = int.from_bytes(blake2_256(self.pubkey), "big")

    def on_bench_start(
        self, block: int, time_s: int, duration: int, fx: WorkerEffects, block_ms: int = 0
    ) -> None:
        """Start benchmarking at ``block`` for ``duration`` blocks of ``block_ms`` each.

        The report needs both: ``duration`` blocks, and counting time of at least
        :data:`BENCH_MIN_COUNTED` of ``duration × block_ms``, so blocks delivered in a burst
        cannot end a benchmark that has not counted.
        """
        self.phase = Phase.BENCHMARKING
        self.bench_until = block + duration
        self.bench_start_time = time_s
        self.bench_start_iterations = fx.iterations()
        self.bench_start_counted_ms = fx.counted_ms()
        self.bench_min_ms = duration * block_ms * BENCH_MIN_COUNTED.numerator
        self.bench_min_ms //= BENCH_MIN_COUNTED.denominator

    def on_started(self, session_id: int, fx: WorkerEffects) -> None:
        """A computing session started."""
        self.phase = Phase.COMPUTING
        self.session_id = session_id
        self.session_iterations = fx.iterations()

    def resume_computing(self, session_id: int, reported: int, fx: WorkerEffects) -> None:
        """Continue a session after a restart; later heartbeats count on from ``reported``.

        The chain requires a session's iteration counts never to decrease, and a restarted
        process counts from zero again, so the new count is offset by what was reported.
        """
        self.phase = Phase.COMPUTING
        self.session_id = session_id
        self.session_iterations = fx.iterations() - reported

    def count_on_from(self, accepted: int, fx: WorkerEffects) -> None:
        """Never report fewer iterations than the chain has accepted for this session.

        After a crash the machine resumes from a checkpoint's view, but heartbeats sent after
        the checkpoint may have raised the chain's count since; the restarted counter is then
        offset so that the next count continues from ``accepted``.
        """
        if self.phase is Phase.COMPUTING:
            self.session_iterations = min(self.session_iterations, fx.iterations() - accepted)

    def on_stopped(self) -> None:
        """The computing session ended."""
        if self.phase is Phase.COMPUTING:
            self.phase = Phase.READY

    def on_challenge(
        self, block: int, time_s: int, seed: int, target: int, fx: WorkerEffects
    ) -> bool:
        """Answer ``block``'s challenge if computing and hit; returns whether it answered."""
        if self.phase is not Phase.COMPUTING or not is_hit(self.pubkey_hash, seed, target):
            return False
        done = fx.iterations() - self.session_iterations
        fx.heartbeat(self.session_id, block, time_s, done)
        self.heartbeats += 1
        return True

    def pause_benchmark(self) -> None:
        """Extend a running benchmark by one block (its host was not counting during it)."""
        if self.phase is Phase.BENCHMARKING:
            self.bench_until += 1

    def on_block_end(self, block: int, fx: WorkerEffects, time_s: int = 0) -> None:
        """Finish a benchmark whose blocks have passed and whose counting time is done.

        The report's start time is when counting began as far as this block (time ``time_s``)
        can tell: its time less the counted seconds (rounded up), but never before the
        benchmark's start block. A worker handed its start late (withheld blocks) thus reports
        the time it really counted for, and the chain's score is its real rate.
        """
        if self.phase is not Phase.BENCHMARKING or block < self.bench_until:
            return
        counted = fx.counted_ms() - self.bench_start_counted_ms
        if counted < self.bench_min_ms:
            return  # the blocks came faster than real time: keep counting
        done = max(0, fx.iterations() - self.bench_start_iterations)
        counted_s = -(-counted // 1000)
        fx.bench_report(max(self.bench_start_time, time_s - counted_s), done)
        self.phase = Phase.READY
