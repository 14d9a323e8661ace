"""The worker's mining host.

It runs the shared state machine on verified blocks and turns its effects into signed messages
in the send queue.

Effects happen only while the worker is *live* (its verified head is recent): a worker
replaying history neither benchmarks (the benchmark waits, block by block) nor answers old
challenges. After a restart the machine is rebuilt from verified chain state: a computing
session resumes with its reported iteration count, and a worker still without a score starts
a fresh benchmark.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog

from khala.offchain.routing import Delivery, Route, Router
from khala.offchain.worker_state import Phase, WorkerStateMachine
from khala.primitives.scale import encode
from khala.runtime.genesis import preset_of
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.constants import HEARTBEAT_TOPIC
from khala.runtime.modules.computation.topics import CHALLENGE, WORKER_EVENT
from khala.runtime.modules.computation.types import (
    ComputingStarted,
    ComputingStopped,
    Heartbeat,
    HeartbeatChallenge,
    SessionInfo,
    WorkerEvent,
)
from khala.runtime.modules.mq.types import Message, MessageOrigin
from khala.runtime.modules.registry.constants import BENCH_REPORT_TOPIC
from khala.runtime.modules.registry.state import worker_info
from khala.runtime.modules.registry.topics import BENCH_START
from khala.runtime.modules.registry.types import BenchReport, BenchStart
from khala.runtime.state import State
from khala.runtime.table import RUNTIME
from khala.worker.send_queue import SendQueue

log = structlog.get_logger("khala.worker.mining")


class MiningHost:
    """One worker's mining: the state machine plus its effects."""

    def __init__(
        self,
        queue: SendQueue,
        iterations: Callable[[], int],
        counted_ms: Callable[[], int] = lambda: 0,
    ) -> None:
        """Send through ``queue``; read the benchmark counter and its counted time."""
        self.queue = queue
        self._iterations = iterations
        self._counted_ms = counted_ms
        self._time_s = 0
        self._block_ms: int | None = None
        self.machine = WorkerStateMachine(queue.identity.public_key)
        self.live = False
        self._reconciled = False
        self._router = Router(RUNTIME.topics, self.routes())

    # --- WorkerEffects ------------------------------------------------------------------

    def iterations(self) -> int:
        """The benchmark counter."""
        return self._iterations()

    def counted_ms(self) -> int:
        """Milliseconds the benchmark loop has counted."""
        return self._counted_ms()

    def bench_report(self, start_time: int, iterations: int) -> None:
        """Queue the signed benchmark report."""
        self.queue.push(BENCH_REPORT_TOPIC, encode(BenchReport(start_time, iterations)))
        log.info("benchmark reported", iterations=iterations, start_time=start_time)

    def heartbeat(
        self, session_id: int, challenge_block: int, challenge_time: int, iterations: int
    ) -> None:
        """Queue a heartbeat (only when live: old challenges are not worth answering)."""
        if self.live:
            beat = Heartbeat(session_id, challenge_block, challenge_time, iterations)
            self.queue.push(HEARTBEAT_TOPIC, encode(beat))
            log.info(
                "heartbeat sent",
                session=session_id,
                challenge_block=challenge_block,
                iterations=iterations,
            )

    # --- blocks -------------------------------------------------------------------------

    def routes(self) -> list[Route[Any]]:
        """The host's subscriptions: benchmark orders, session events, challenges."""
        return [
            Route(BENCH_START, self.on_bench_start),
            Route(WORKER_EVENT, self.on_worker_event),
            Route(CHALLENGE, self.on_challenge),
        ]

    def on_block(
        self, state: State, block: int, time_s: int, messages: list[Message], live: bool
    ) -> None:
        """Feed one verified block to the machine (standalone: through the host's own router)."""
        self.begin_block(state, block, time_s, live)
        self._router.deliver_all(Delivery(block, time_s), messages)
        self.end_block(block)

    def begin_block(self, state: State, block: int, time_s: int, live: bool) -> None:
        """Before a block's messages: note liveness, rebuild from state once after a start.

        While computing, the count continues from what the chain has accepted (see
        :meth:`WorkerStateMachine.count_on_from`).
        """
        self.live = live
        self._time_s = time_s
        if self._block_ms is None:
            self._block_ms = preset_of(state.get).block_time_ms
        if not self._reconciled:
            self.reconcile(state, block, time_s)
        if self.machine.phase is Phase.COMPUTING:
            record = self._session(state)
            if record is not None and record.session_id == self.machine.session_id:
                self.machine.count_on_from(record.iterations, self)

    def end_block(self, block: int) -> None:
        """After a block's messages: the benchmark waits while catching up; block effects."""
        if not self.live:
            self.machine.pause_benchmark()
        self.machine.on_block_end(block, self, self._time_s)

    def on_bench_start(self, at: Delivery, sender: MessageOrigin, start: BenchStart) -> None:
        """Benchmark when the registry says so (to this worker)."""
        if bytes(start.worker) == self.machine.pubkey:
            block_ms = self._block_ms or 0
            self.machine.on_bench_start(at.block, at.time_s, start.duration, self, block_ms)

    def on_challenge(
        self, at: Delivery, sender: MessageOrigin, challenge: HeartbeatChallenge
    ) -> None:
        """Check the block's challenge against this worker."""
        self.machine.on_challenge(
            at.block, at.time_s, challenge.seed, challenge.online_target, self
        )

    def on_worker_event(self, at: Delivery, sender: MessageOrigin, event: WorkerEvent) -> None:
        """Follow this worker's session starting or stopping."""
        if not isinstance(event, ComputingStarted | ComputingStopped):
            return
        if bytes(event.worker) != self.machine.pubkey:
            return
        if isinstance(event, ComputingStarted):
            self.machine.on_started(event.session_id, self)
            log.info("computing started", session_id=event.session_id)
        else:
            self.machine.on_stopped()
            log.info("computing stopped", session_id=event.session_id)

    def _session(self, state: State) -> SessionInfo | None:
        """This worker's session record in ``state``, if it is bound."""
        session = cst.WORKER_BINDINGS.get(state, self.machine.pubkey)
        return None if session is None else cst.SESSIONS.get(state, session)

    def reconcile(self, state: State, block: int, time_s: int) -> None:
        """Rebuild the machine from verified state (after a restart or a checkpoint)."""
        self._reconciled = True
        me = self.machine.pubkey
        info = worker_info(state, me)
        if info is None:
            return
        record = self._session(state)
        if record is not None and record.state.computing():
            self.machine.resume_computing(record.session_id, record.iterations, self)
            log.info("computing resumed", session_id=record.session_id)
        elif info.initial_score is None and self.machine.phase is Phase.REGISTERED:
            preset = preset_of(state.get)
            self.machine.on_bench_start(
                block, time_s, preset.benchmark_blocks, self, preset.block_time_ms
            )
            log.info("benchmark restarted", blocks=preset.benchmark_blocks)
        elif info.initial_score is not None:
            self.machine.phase = Phase.READY
