"""The gatekeepers' per-block settlement.

The chain's mining messages are replayed into the economics engine to produce the
``WorkingInfoUpdate`` the master key signs.

Per block, in message order: ``ComputingStarted`` / ``ComputingStopped`` open and close a
worker's economics; a worker's ``Heartbeat`` (accepted on chain) settles its payout; the
block's ``HeartbeatChallenge`` records which computing workers must answer (found through the
bucketed index, then confirmed by each worker's own state machine, so the gatekeeper expects
exactly the heartbeats the workers send). At the end of the block, workers whose oldest
challenge has waited more than ``heartbeat_window`` blocks turn unresponsive. Every gatekeeper
runs the same integer arithmetic on the same messages, so their updates are byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from khala.offchain.challenge import ChallengeIndex
from khala.offchain.economics import EconomicsEngine, Settlement
from khala.offchain.routing import Delivery, Route, Router
from khala.offchain.worker_state import WorkerStateMachine
from khala.runtime.modules.computation.tokenomics import TokenomicParameters
from khala.runtime.modules.computation.topics import CHALLENGE, HEARTBEAT, WORKER_EVENT
from khala.runtime.modules.computation.types import (
    ComputingStarted,
    ComputingStopped,
    Heartbeat,
    HeartbeatChallenge,
    SettleInfo,
    WorkerEvent,
    WorkingInfoUpdate,
)
from khala.runtime.modules.mq.types import Message, MessageOrigin, WorkerOrigin
from khala.runtime.table import RUNTIME


class _Expectations:
    """Effects of replayed state machines: a hit worker owes a heartbeat."""

    def __init__(self, engine: EconomicsEngine) -> None:
        self.engine = engine
        self.pubkey = b""

    def iterations(self) -> int:
        return 0

    def counted_ms(self) -> int:
        return 0

    def bench_report(self, start_time: int, iterations: int) -> None:
        return None

    def heartbeat(
        self, session_id: int, challenge_block: int, challenge_time: int, iterations: int
    ) -> None:
        self.engine.challenge(self.pubkey, challenge_block)


@dataclass
class GatekeeperEconomics:
    """All computing workers as the gatekeepers see them."""

    params: TokenomicParameters
    """The parameters in force."""
    engine: EconomicsEngine = field(init=False)
    """V, shares and payouts."""
    index: ChallengeIndex = field(default_factory=ChallengeIndex)
    """Computing workers by key hash."""
    machines: dict[bytes, WorkerStateMachine] = field(default_factory=dict)
    """Each computing worker's replayed state machine."""
    sessions: dict[bytes, int] = field(default_factory=dict)
    """Each computing worker's session id (heartbeats of older sessions are ignored)."""

    def __post_init__(self) -> None:
        """Start with no workers."""
        self.engine = EconomicsEngine(self.params)
        self.expectations = _Expectations(self.engine)
        self._settle: list[SettleInfo] = []
        self.settlements: list[Settlement] = []
        self._recovered: list[bytes] = []
        self._router = Router(RUNTIME.topics, self.routes())

    def set_params(self, params: TokenomicParameters, block: int) -> None:
        """Use new parameters from ``block`` on (every worker steps to the block before)."""
        self.params = params
        self.engine.set_params(params, block - 1)

    def routes(self) -> list[Route[Any]]:
        """The replay's subscriptions: session events, heartbeats, challenges."""
        return [
            Route(WORKER_EVENT, self.on_worker_event),
            Route(HEARTBEAT, self.on_heartbeat),
            Route(CHALLENGE, self.on_challenge),
        ]

    def process_block(
        self, block: int, time_s: int, messages: list[Message]
    ) -> WorkingInfoUpdate | None:
        """Apply one block's messages; return the settlement to send, if any.

        The standalone form of what a gatekeeper host does through its worker's router:
        :meth:`begin_block`, the block's messages through :meth:`routes`, :meth:`end_block`.
        """
        self.begin_block()
        self._router.deliver_all(Delivery(block, time_s), messages)
        return self.end_block(block)

    def begin_block(self) -> None:
        """Start collecting a block's payouts and recoveries."""
        self._settle = []
        self._recovered = []
        self.settlements = []

    def end_block(self, block: int) -> WorkingInfoUpdate | None:
        """Turn overdue workers unresponsive; return the block's settlement, if any."""
        offline = self.engine.on_block(block)
        settle, recovered = self._settle, self._recovered
        self._settle, self._recovered = [], []
        if not (settle or recovered or offline):
            return None
        return WorkingInfoUpdate(block, offline, recovered, settle)

    def on_worker_event(self, at: Delivery, sender: MessageOrigin, event: WorkerEvent) -> None:
        """Open or close a worker's economics when its session starts or stops computing."""
        if not isinstance(event, ComputingStarted | ComputingStopped):
            return
        block = at.block
        pubkey = bytes(event.worker)
        if isinstance(event, ComputingStarted):
            if pubkey in self.engine.workers:
                self._stop(pubkey, block)
            self.engine.start(
                pubkey,
                block,
                score=event.init_p,
                conf_level=event.confidence_level,
                initial_v=event.init_v,
                now_ms=at.time_s * 1000,
            )
            self.index.add(pubkey)
            machine = WorkerStateMachine(pubkey)
            machine.on_started(event.session_id, self.expectations)
            self.machines[pubkey] = machine
            self.sessions[pubkey] = event.session_id
        elif pubkey in self.engine.workers:
            self._stop(pubkey, block)

    def _stop(self, pubkey: bytes, block: int) -> None:
        self.engine.stop(pubkey, block)
        self.index.remove(pubkey)
        self.machines.pop(pubkey, None)
        self.sessions.pop(pubkey, None)

    def on_heartbeat(self, at: Delivery, sender: MessageOrigin, beat: Heartbeat) -> None:
        """Settle a heartbeat the chain accepted (the topic admits workers only)."""
        if not isinstance(sender, WorkerOrigin):
            return
        pubkey = bytes(sender.pubkey)
        if pubkey not in self.engine.workers or self.sessions.get(pubkey) != beat.session_id:
            return  # not computing, or a heartbeat of an earlier session: ignored, as Phala
        result = self.engine.heartbeat(
            pubkey,
            at.block,
            beat.challenge_block,
            now_ms=at.time_s * 1000,
            iterations=beat.iterations,
            challenge_time_ms=beat.challenge_time * 1000,
        )
        if result is None:
            return
        if result.recovered:
            self._recovered.append(pubkey)
            return
        self.settlements.append(result)
        self._settle.append(SettleInfo(pubkey, result.v.bits, result.payout, result.treasury))

    def on_challenge(
        self, at: Delivery, sender: MessageOrigin, challenge: HeartbeatChallenge
    ) -> None:
        """Record which computing workers this block's challenge hits."""
        for pubkey in self.index.hits(challenge.seed, challenge.online_target):
            self.expectations.pubkey = pubkey
            self.machines[pubkey].on_challenge(
                at.block, at.time_s, challenge.seed, challenge.online_target, self.expectations
            )
