"""Registry's on-chain message handlers: benchmark reports and the master public key.

Both arrive through the message queue signed by a worker's identity key (mq checked the
signature and sequence before routing here).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from khala.primitives.scale import encode
from khala.runtime.context import Context
from khala.runtime.modules.computation.constants import MIN_SCORE
from khala.runtime.modules.mq.calls import send
from khala.runtime.modules.mq.routing import decode_payload
from khala.runtime.modules.mq.types import Message, WorkerOrigin
from khala.runtime.modules.registry import events, state, topics
from khala.runtime.modules.registry.constants import (
    BENCH_START_TOPIC,
    GATEKEEPER_REGISTERED_TOPIC,
    PALLET_ID,
    SCORE_CAP,
    SCORE_PERIOD_SECS,
)
from khala.runtime.modules.registry.errors import RegistryErrorCode, registry_error
from khala.runtime.modules.registry.types import (
    BenchStart,
    NewGatekeeper,
    WorkerInfo,
)
from khala.runtime.modules.timestamp.state import now
from khala.runtime.state import State
from khala.runtime.topic import Topic

T = TypeVar("T")


def _payload(topic: Topic[T], message: Message) -> T:
    return decode_payload(
        topic, message, lambda reason: registry_error(RegistryErrorCode.MALFORMED_MESSAGE, reason)
    )


def _sending_worker(storage: State, message: Message) -> tuple[bytes, WorkerInfo]:
    sender = message.sender
    info = None
    if isinstance(sender, WorkerOrigin):
        info = state.WORKERS.get(storage, sender.pubkey)
    if info is None or not isinstance(sender, WorkerOrigin):
        raise registry_error(RegistryErrorCode.NOT_A_WORKER, "only registered workers send this")
    return bytes(sender.pubkey), info


def benchmark_score(iterations: int, elapsed_secs: int) -> int:
    """Iterations per 6 s over the benchmark, capped at 6000, rounded as Phala's registry.

    Phala divides first (iterations per whole second, truncated) and then multiplies by 6, so
    a score is always a multiple of 6; khala keeps that order to give the same scores.
    """
    return min(SCORE_CAP, iterations // elapsed_secs * SCORE_PERIOD_SECS)


def needs_benchmark(info: WorkerInfo) -> bool:
    """Whether a (re-)registered worker is benchmarked and its next report accepted.

    Until a worker has a score at least the minimum to compute, its score may be measured
    again (a benchmark a relayer zeroed by withholding blocks is not final); after that the
    score is kept, as the sessions computing with it were started on it.
    """
    return info.initial_score is None or info.initial_score < MIN_SCORE


def start_benchmark(storage: State, ctx: Context, worker: bytes) -> None:
    """Tell a newly registered worker to benchmark for the preset's number of blocks."""
    send(
        storage,
        ctx,
        PALLET_ID,
        BENCH_START_TOPIC,
        encode(BenchStart(worker, ctx.config.benchmark_blocks)),
    )


def announce_gatekeeper(storage: State, ctx: Context, pubkey: bytes, ecdh_pubkey: bytes) -> None:
    """Tell the gatekeepers a new one needs the master key."""
    send(
        storage,
        ctx,
        PALLET_ID,
        GATEKEEPER_REGISTERED_TOPIC,
        encode(NewGatekeeper(pubkey, ecdh_pubkey)),
    )


def on_bench_report(storage: State, ctx: Context, message: Message) -> None:
    """Set a worker's initial score from its first benchmark report."""
    pubkey, info = _sending_worker(storage, message)
    report = _payload(topics.BENCH_REPORT, message)
    if not needs_benchmark(info):
        raise registry_error(
            RegistryErrorCode.BENCHMARK_ALREADY_REPORTED,
            f"the score is already {info.initial_score}",
        )
    elapsed = now(storage) // 1000 - report.start_time
    if elapsed <= 0:
        raise registry_error(
            RegistryErrorCode.BAD_BENCHMARK, "the benchmark must start before the current block"
        )
    score = benchmark_score(report.iterations, elapsed)
    state.WORKERS.insert(storage, pubkey, replace(info, initial_score=score))
    ctx.emit(events.BenchmarkReported(pubkey, score))


def on_master_pubkey(storage: State, ctx: Context, message: Message) -> None:
    """Accept the master public key from a gatekeeper, once."""
    pubkey, _ = _sending_worker(storage, message)
    upload = _payload(topics.MASTER_PUBKEY, message)
    if pubkey not in state.GATEKEEPERS.get(storage):
        raise registry_error(RegistryErrorCode.GATEKEEPER_UNKNOWN, "the sender is not a gatekeeper")
    if state.MASTER_PUBKEY.get(storage) is not None:
        raise registry_error(
            RegistryErrorCode.MASTER_PUBKEY_EXISTS, "the master public key is already published"
        )
    state.MASTER_PUBKEY.put(storage, upload.master_pubkey)
    ctx.emit(events.MasterPubkeyPublished(upload.master_pubkey))
