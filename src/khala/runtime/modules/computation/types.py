"""Computation's records and the messages it exchanges with workers and gatekeepers."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from khala.primitives.fixed_point import U64F64
from khala.primitives.scale import H256, U8, U32, U64, U128, U256, ScaleEnum, variant


class SessionState(enum.IntEnum):
    """Where a session is in its life (SCALE: one byte)."""

    READY = 0
    """Bound to a worker, not computing."""
    WORKER_IDLE = 1
    """Computing and answering heartbeats."""
    WORKER_UNRESPONSIVE = 2
    """Computing but missing heartbeats (as the gatekeepers report)."""
    WORKER_COOLING_DOWN = 3
    """Stopped; the stake is locked until the cool-down ends."""

    def computing(self) -> bool:
        """Whether the worker counts as computing (challenged, earning or slashed)."""
        return self in (SessionState.WORKER_IDLE, SessionState.WORKER_UNRESPONSIVE)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A session account's record (``Computation.Sessions``)."""

    owner: H256
    """The account that bound the worker and whose stake it computes with."""
    state: SessionState
    """Where the session is."""
    session_id: U32
    """How many times computing started in this session; heartbeats name it."""
    ve: U64F64
    """V at the start of computing (Ve)."""
    v: U64F64
    """V as last settled by the gatekeepers."""
    v_updated_at: U32
    """The block of the last settlement."""
    p_init: U32
    """The benchmark score when computing started (P)."""
    p_instant: U32
    """The performance the last heartbeat showed (iterations per 6 s, capped)."""
    iterations: U64
    """Iterations since the session started, as of the last heartbeat."""
    challenge_time_last: U64
    """Block time (s) of the challenge the last heartbeat answered."""
    cool_down_start: U64
    """Block time (s) when the worker was stopped (0 when not cooling down)."""
    total_reward: U128
    """Rewards paid to this session, in units."""


@dataclass(frozen=True, slots=True)
class HeartbeatChallenge:
    """Sent each block: workers whose key hash XOR ``seed`` ≤ ``online_target`` must answer."""

    seed: U256
    """This block's randomness."""
    online_target: U256
    """The hit threshold for the current number of computing workers."""


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A computing worker's answer to a challenge that hit it."""

    session_id: U32
    """Which computing session (counts the worker's starts) the heartbeat belongs to."""
    challenge_block: U32
    """The block whose challenge this answers."""
    challenge_time: U64
    """That block's time in seconds."""
    iterations: U64
    """Benchmark iterations since the session started."""


@dataclass(frozen=True, slots=True)
class SettleInfo:
    """One worker's settlement in a ``WorkingInfoUpdate``."""

    pubkey: H256
    """The worker."""
    v: U128
    """Its new V, as U64F64 bits."""
    payout: U128
    """Units paid to the session's owner."""
    treasury: U128
    """Units paid to the treasury."""


@dataclass(frozen=True, slots=True)
class WorkingInfoUpdate:
    """The gatekeepers' per-block settlement, signed by the master key."""

    block_number: U32
    """The block the gatekeepers computed it for."""
    offline: list[H256]
    """Workers that turned unresponsive."""
    recovered_to_online: list[H256]
    """Workers that answered again."""
    settle: list[SettleInfo]
    """V and payouts of the workers whose heartbeats were settled."""


class WorkerEvent(ScaleEnum):
    """What the chain tells workers and gatekeepers about a worker's computing session."""


@variant(0)
@dataclass(frozen=True, slots=True)
class ComputingStarted(WorkerEvent):
    """The worker started computing in this block."""

    worker: H256
    """The worker."""
    session_id: U32
    """The new session's id (its heartbeats must name it)."""
    init_v: U64F64
    """Ve."""
    init_p: U32
    """The benchmark score."""
    confidence_level: U8
    """The worker's attestation confidence level (weights its share)."""


@variant(1)
@dataclass(frozen=True, slots=True)
class ComputingStopped(WorkerEvent):
    """The worker stopped computing in this block."""

    worker: H256
    """The worker."""
    session_id: U32
    """The session that ended."""
