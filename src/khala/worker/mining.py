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

import structlog

from khala.offchain.worker_state import Phase, WorkerStateMachine
from khala.primitives.scale import ScaleError, decode, encode
from khala.runtime.genesis import preset_of
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.constants import (
    CHALLENGE_TOPIC,
    HEARTBEAT_TOPIC,
    WORKER_EVENT_TOPIC,
)
from khala.runtime.modules.computation.types import (
    ComputingStarted,
    ComputingStopped,
    Heartbeat,
    HeartbeatChallenge,
    WorkerEvent,
)
from khala.runtime.modules.mq.types import Message, PalletOrigin
from khala.runtime.modules.registry.constants import BENCH_REPORT_TOPIC, BENCH_START_TOPIC
from khala.runtime.modules.registry.state import worker_info
from khala.runtime.modules.registry.types import BenchReport, BenchStart
from khala.runtime.state import State
from khala.worker.send_queue import SendQueue

log = structlog.get_logger("khala.worker.mining")


class MiningHost:
    """One worker's mining: the state machine plus its effects."""

    def __init__(self, queue: SendQueue, iterations: Callable[[], int]) -> None:
        """Send through ``queue``; read the benchmark counter with ``iterations``."""
        self.queue = queue
        self._iterations = iterations
        self.machine = WorkerStateMachine(queue.identity.public_key)
        self.live = False
        self._reconciled = False

    # --- WorkerEffects ------------------------------------------------------------------

    def iterations(self) -> int:
        """The benchmark counter."""
        return self._iterations()

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

    def on_block(
        self, state: State, block: int, time_s: int, messages: list[Message], live: bool
    ) -> None:
        """Feed one verified block's messages to the machine."""
        self.live = live
        if not self._reconciled:
            self.reconcile(state, block, time_s)
        me = self.machine.pubkey
        for message in messages:
            if not isinstance(message.sender, PalletOrigin):
                continue
            try:
                if message.destination == BENCH_START_TOPIC:
                    start = decode(BenchStart, message.payload)
                    if bytes(start.worker) == me:
                        self.machine.on_bench_start(block, time_s, start.duration, self)
                elif message.destination == WORKER_EVENT_TOPIC:
                    self._worker_event(decode(WorkerEvent, message.payload))
                elif message.destination == CHALLENGE_TOPIC:
                    challenge = decode(HeartbeatChallenge, message.payload)
                    self.machine.on_challenge(
                        block, time_s, challenge.seed, challenge.online_target, self
                    )
            except ScaleError:
                log.warning("undecodable mining message", topic=message.destination.decode())
        if not live:
            self.machine.pause_benchmark()  # the benchmark waits while catching up
        self.machine.on_block_end(block, self)

    def _worker_event(self, event: WorkerEvent) -> None:
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

    def reconcile(self, state: State, block: int, time_s: int) -> None:
        """Rebuild the machine from verified state (after a restart or a checkpoint)."""
        self._reconciled = True
        me = self.machine.pubkey
        info = worker_info(state, me)
        if info is None:
            return
        session = cst.WORKER_BINDINGS.get(state, me)
        record = None if session is None else cst.SESSIONS.get(state, session)
        if record is not None and record.state.computing():
            self.machine.resume_computing(record.session_id, record.iterations, self)
            log.info("computing resumed", session_id=record.session_id)
        elif info.initial_score is None and self.machine.phase is Phase.REGISTERED:
            preset = preset_of(state.get)
            self.machine.on_bench_start(block, time_s, preset.benchmark_blocks, self)
            log.info("benchmark restarted", blocks=preset.benchmark_blocks)
        elif info.initial_score is not None:
            self.machine.phase = Phase.READY
