"""The worker's mining host: benchmark timing, heartbeats when hit, history, restart."""

from __future__ import annotations

from dataclasses import replace

from khala.primitives.crypto import KeyScheme, keypair_from_seed
from khala.primitives.fixed_point import U64F64
from khala.primitives.scale import decode, encode
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.challenge import U256_MAX
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
    SessionInfo,
    SessionState,
    WorkerEvent,
)
from khala.runtime.modules.mq.types import Message, PalletOrigin
from khala.runtime.modules.registry.constants import BENCH_REPORT_TOPIC, BENCH_START_TOPIC
from khala.runtime.modules.registry.state import WORKERS
from khala.runtime.modules.registry.types import (
    AttestationProvider,
    BenchReport,
    BenchStart,
    WorkerInfo,
)
from khala.worker.mining import MiningHost
from khala.worker.send_queue import SendQueue
from tests.runtime.harness import Harness, ed

KEY = keypair_from_seed(KeyScheme.SR25519, b"\x21" * 32)
ME = KEY.public_key


class Counter:
    def __init__(self) -> None:
        self.value = 0

    def __call__(self) -> int:
        return self.value


def _msg(topic: bytes, payload: bytes) -> Message:
    return Message(PalletOrigin(b"computation"), topic, payload)


def _event(event: WorkerEvent) -> Message:
    return _msg(WORKER_EVENT_TOPIC, encode(event))


def _sent(queue: SendQueue, topic: bytes) -> list[bytes]:
    return [
        signed.message.payload for signed in queue.messages() if signed.message.destination == topic
    ]


class Clock:
    """The benchmark loop's counted time (ms), set by the test."""

    def __init__(self) -> None:
        self.value = 0

    def __call__(self) -> int:
        return self.value


class Plenty(Clock):
    """Counted time that is always an hour further: never what holds a benchmark back."""

    def __call__(self) -> int:
        self.value += 3_600_000
        return self.value


def _host(clock: Clock | None = None) -> tuple[MiningHost, SendQueue, Counter, object]:
    counter = Counter()
    queue = SendQueue(KEY)
    state = Harness({ed("Alice").public_key: 10**15}).state()
    return MiningHost(queue, counter, clock or Plenty()), queue, counter, state


def test_benchmark_reports_after_its_duration_and_waits_while_catching_up() -> None:
    """5 live blocks after BenchStart the report carries the iterations counted meanwhile."""
    host, queue, counter, state = _host()
    host.on_block(state, 10, 1000, [_msg(BENCH_START_TOPIC, encode(BenchStart(ME, 5)))], True)
    counter.value = 700
    host.on_block(state, 11, 1002, [], False)  # history: the benchmark waits a block
    for block in range(12, 15):
        host.on_block(state, block, 1000 + 2 * (block - 10), [], True)
    assert _sent(queue, BENCH_REPORT_TOPIC) == []
    counter.value = 900
    host.on_block(state, 16, 1012, [], True)
    assert [decode(BenchReport, p) for p in _sent(queue, BENCH_REPORT_TOPIC)] == [
        BenchReport(1000, 900)
    ]


def test_a_burst_of_withheld_blocks_cannot_zero_the_benchmark() -> None:
    """The benchmark ends only after real counting time, whatever the blocks' pace.

    A relayer withholds blocks 11-15 for 12 s and delivers them with BenchStart in one burst:
    the worker has counted nothing yet when block 15 (the nominal end) is processed, so it
    keeps counting; once three quarters of the nominal 10 s were counted (block 16 arriving
    on time, 8 s later), it reports the iterations and the time counting really started (the
    last block's time less the counted time, rounded down), not the withheld BenchStart's.
    """
    clock = Clock()
    host, queue, counter, state = _host(clock)
    start = _msg(BENCH_START_TOPIC, encode(BenchStart(ME, 5)))
    host.on_block(state, 10, 1000, [start], True)
    for block in range(11, 16):
        host.on_block(state, block, 1000 + 2 * (block - 10), [], True)
    assert _sent(queue, BENCH_REPORT_TOPIC) == []  # nothing counted: no report of 0
    counter.value, clock.value = 800, 8_000
    host.on_block(state, 16, 1020, [], True)
    assert [decode(BenchReport, p) for p in _sent(queue, BENCH_REPORT_TOPIC)] == [
        BenchReport(1012, 800)
    ]


def test_other_workers_messages_are_ignored() -> None:
    """BenchStart and session events for another worker change nothing."""
    host, queue, _, state = _host()
    other = b"\x01" * 32
    host.on_block(state, 1, 10, [_msg(BENCH_START_TOPIC, encode(BenchStart(other, 1)))], True)
    host.on_block(state, 2, 12, [_event(ComputingStarted(other, 1, U64F64(0), 100, 1))], True)
    assert host.machine.phase.name == "REGISTERED" and queue.messages() == []


def test_heartbeats_answer_hits_only_while_computing_and_live() -> None:
    """A challenge every worker passes (target = max) is answered with session and count."""
    host, queue, counter, state = _host()
    everyone = _msg(CHALLENGE_TOPIC, encode(HeartbeatChallenge(0, U256_MAX)))
    nobody = _msg(CHALLENGE_TOPIC, encode(HeartbeatChallenge(0, 0)))
    host.on_block(state, 1, 10, [everyone], True)
    assert _sent(queue, HEARTBEAT_TOPIC) == []  # not computing
    counter.value = 50
    host.on_block(state, 2, 12, [_event(ComputingStarted(ME, 3, U64F64(0), 100, 1))], True)
    counter.value = 80
    host.on_block(state, 3, 14, [everyone], True)
    host.on_block(state, 4, 16, [nobody], True)
    host.on_block(state, 5, 18, [everyone], False)  # an old challenge: not answered
    assert [decode(Heartbeat, p) for p in _sent(queue, HEARTBEAT_TOPIC)] == [
        Heartbeat(3, 3, 14, 30)
    ]
    host.on_block(state, 6, 20, [_event(ComputingStopped(ME, 3))], True)
    host.on_block(state, 7, 22, [everyone], True)
    assert len(_sent(queue, HEARTBEAT_TOPIC)) == 1


def _registered_state(score: int | None, session: SessionInfo | None = None) -> object:
    info = WorkerInfo(ME, bytes(32), 1, 0, None, AttestationProvider.DCAP, 1, score, [])
    extra = {WORKERS.key_of(ME): WORKERS.value_codec.encode(info)}
    if session is not None:
        account = b"\x55" * 32
        extra[cst.WORKER_BINDINGS.key_of(ME)] = cst.WORKER_BINDINGS.value_codec.encode(account)
        extra[cst.SESSIONS.key_of(account)] = cst.SESSIONS.value_codec.encode(session)
    return Harness({ed("Alice").public_key: 10**15}, genesis_extra=extra).state()


def test_restart_without_a_score_benchmarks_again() -> None:
    """A registered worker without a score that lost its benchmark starts a new one (dev: 5)."""
    host, queue, counter, _ = _host()
    state = _registered_state(None)
    host.on_block(state, 40, 400, [], True)
    for block in range(41, 45):
        host.on_block(state, block, 400 + 2 * (block - 40), [], True)
    assert _sent(queue, BENCH_REPORT_TOPIC) == []
    counter.value = 10
    host.on_block(state, 45, 410, [], True)
    assert [decode(BenchReport, p) for p in _sent(queue, BENCH_REPORT_TOPIC)] == [
        BenchReport(400, 10)
    ]


def test_restart_resumes_a_computing_session_counting_on() -> None:
    """Heartbeats after a restart continue from the iterations the chain last recorded."""
    record = SessionInfo(
        b"\x66" * 32, SessionState.WORKER_IDLE, 4, U64F64(0), U64F64(0), 0, 100, 100, 5000,
        300, 0, 0,
    )  # fmt: skip
    host, queue, counter, _ = _host()
    counter.value = 7  # the new process's counter starts near zero
    state = _registered_state(500, record)
    host.on_block(state, 60, 600, [], True)
    counter.value = 27
    host.on_block(
        state, 61, 602, [_msg(CHALLENGE_TOPIC, encode(HeartbeatChallenge(0, U256_MAX)))], True
    )
    assert [decode(Heartbeat, p) for p in _sent(queue, HEARTBEAT_TOPIC)] == [
        Heartbeat(4, 61, 602, 5020)
    ]


def test_after_a_crash_heartbeats_count_on_from_what_the_chain_accepted_since() -> None:
    """A worker restored from a checkpoint counts on from the chain's latest accepted count.

    The checkpoint's state says 5000 iterations; heartbeats sent after the checkpoint (before
    the crash) raised the chain's record to 9000 by the time the replay reaches block 61. The
    restarted process's counter starts near zero, yet its first heartbeat must not fall
    below 9000, or the chain refuses it (``computation.bad_heartbeat``).
    """
    at_checkpoint = SessionInfo(
        b"\x66" * 32, SessionState.WORKER_IDLE, 4, U64F64(0), U64F64(0), 0, 100, 100, 5000,
        300, 0, 0,
    )  # fmt: skip
    accepted_since = replace(at_checkpoint, iterations=9000, challenge_time_last=590)
    host, queue, counter, _ = _host()
    counter.value = 7
    host.on_block(_registered_state(500, at_checkpoint), 60, 600, [], False)  # replaying
    counter.value = 17
    later = _registered_state(500, accepted_since)
    host.on_block(later, 61, 602, [], False)
    counter.value = 27
    challenge = _msg(CHALLENGE_TOPIC, encode(HeartbeatChallenge(0, U256_MAX)))
    host.on_block(later, 62, 604, [challenge], True)
    [beat] = [decode(Heartbeat, p) for p in _sent(queue, HEARTBEAT_TOPIC)]
    assert beat.iterations >= 9000
    assert beat == Heartbeat(4, 62, 604, 9010)  # counts on: 10 iterations since block 61
