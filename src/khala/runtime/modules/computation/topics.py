"""Computation's message topics: challenges and session events out, heartbeats, settlements in."""

from __future__ import annotations

from khala.runtime.modules.computation.constants import (
    CHALLENGE_TOPIC,
    HEARTBEAT_TOPIC,
    SETTLE_TOPIC,
    WORKER_EVENT_TOPIC,
)
from khala.runtime.modules.computation.types import (
    Heartbeat,
    HeartbeatChallenge,
    WorkerEvent,
    WorkingInfoUpdate,
)
from khala.runtime.modules.mq.types import GatekeeperOrigin, PalletOrigin, WorkerOrigin
from khala.runtime.topic import Topic

CHALLENGE = Topic(
    CHALLENGE_TOPIC,
    HeartbeatChallenge,
    (PalletOrigin,),
    "The per-block heartbeat challenge every worker checks itself against.",
)
"""The chain's challenges to computing workers."""
WORKER_EVENT = Topic(
    WORKER_EVENT_TOPIC,
    WorkerEvent,
    (PalletOrigin,),
    "A session started or stopped computing: the worker and the gatekeepers follow it.",
)
"""Session starts and stops, for the worker concerned and the gatekeepers."""
HEARTBEAT = Topic(
    HEARTBEAT_TOPIC,
    Heartbeat,
    (WorkerOrigin,),
    "A computing worker's answer to a challenge; recorded on chain, settled by gatekeepers.",
)
"""Workers' heartbeats."""
SETTLE = Topic(
    SETTLE_TOPIC,
    WorkingInfoUpdate,
    (GatekeeperOrigin,),
    "The gatekeepers' per-block settlement: payouts, offline and recovered workers.",
)
"""The gatekeepers' settlements (on chain only)."""
TOPICS = (CHALLENGE, WORKER_EVENT, HEARTBEAT, SETTLE)
"""Every topic computation sends or handles."""
