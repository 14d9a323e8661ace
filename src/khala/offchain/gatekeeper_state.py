"""Checkpointing the gatekeepers' replay: the economics of every computing worker.

A gatekeeper's economics is a function of every block since genesis, so a restart must either
resume this snapshot (taken at the same block as the worker's chain checkpoint) or replay from
genesis. Σshare is stored as computed (recomputing it could differ in the last place); the
offline heap and the challenge index are rebuilt from the workers.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from khala.offchain.economics import WorkerEconomics, WorkerState
from khala.offchain.gatekeeper import GatekeeperEconomics
from khala.offchain.worker_state import WorkerStateMachine
from khala.primitives.fixed_point import U64F64
from khala.primitives.scale import H256, U8, U32, U64
from khala.runtime.modules.computation.tokenomics import TokenomicParameters


@dataclass(frozen=True, slots=True)
class WorkerRecord:
    """One computing worker's economics and session."""

    pubkey: H256
    """The worker."""
    session_id: U32
    """Its computing session."""
    p_bench: U64F64
    """Benchmark score."""
    p_instant: U64F64
    """Current performance."""
    conf: U64F64
    """Confidence weight."""
    v: U64F64
    """V as of ``updated_at``."""
    v_deductible: U64F64
    """V growth since the last payout."""
    updated_at: U32
    """Block V was last advanced to."""
    last_payout: U32
    """Block of the last payout."""
    state: U8
    """Idle (0) or unresponsive (1)."""
    share: U64F64
    """Its share as counted in Σshare."""
    pending: list[U32]
    """Blocks of unanswered challenges."""
    iteration_last: U64
    """Iterations of its last heartbeat."""
    challenge_time_last: U64
    """Challenge time (ms) of its last heartbeat (the start time before the first)."""


@dataclass(frozen=True, slots=True)
class EconomicsSnapshot:
    """Everything :class:`GatekeeperEconomics` needs to continue."""

    total_share: U64F64
    """Σshare."""
    workers: list[WorkerRecord]
    """Every computing worker, by public key order."""


def snapshot(gatekeeper: GatekeeperEconomics) -> EconomicsSnapshot:
    """Capture the replay's state."""
    engine = gatekeeper.engine
    records = [
        WorkerRecord(
            pubkey,
            gatekeeper.sessions[pubkey],
            worker.p_bench,
            worker.p_instant,
            worker.conf,
            worker.v,
            worker.v_deductible,
            worker.updated_at,
            worker.last_payout,
            int(worker.state),
            worker.share,
            list(worker.pending),
            worker.iteration_last,
            worker.challenge_time_last,
        )
        for pubkey, worker in sorted(engine.workers.items())
    ]
    return EconomicsSnapshot(engine.total_share, records)


def restore(saved: EconomicsSnapshot, params: TokenomicParameters) -> GatekeeperEconomics:
    """Rebuild the replay from a snapshot."""
    gatekeeper = GatekeeperEconomics(params)
    engine = gatekeeper.engine
    for record in saved.workers:
        pubkey = bytes(record.pubkey)
        worker = WorkerEconomics(
            p_bench=record.p_bench,
            p_instant=record.p_instant,
            conf=record.conf,
            v=record.v,
            v_deductible=record.v_deductible,
            updated_at=record.updated_at,
            last_payout=record.last_payout,
            state=WorkerState(record.state),
            share=record.share,
            pending=deque(record.pending),
            iteration_last=record.iteration_last,
            challenge_time_last=record.challenge_time_last,
        )
        engine.adopt(pubkey, worker)
        gatekeeper.index.add(pubkey)
        machine = WorkerStateMachine(pubkey)
        machine.resume_computing(record.session_id, 0, gatekeeper.expectations)
        gatekeeper.machines[pubkey] = machine
        gatekeeper.sessions[pubkey] = record.session_id
    engine.total_share = saved.total_share
    return gatekeeper
