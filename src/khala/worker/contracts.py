"""A worker's contract cluster: its key, its replay, its signed messages, its state on disk.

The host follows the ``PhatContracts`` topics in verified blocks:

* ``ClusterCreated`` naming this worker makes it a member; operations of its cluster are
  applied in block order by a :class:`~khala.contracts.cluster.ClusterRuntime` once the
  worker holds the cluster key, and buffered (in order) until then;
* a ``ClusterKeyDistribution`` addressed to it is opened with the worker's ECDH key and the
  key sealed to ``BASE/cluster-key.sealed``;
* ``WorkerRemoved`` (itself) or ``ClusterDestroyed`` end its membership.

A worker added to an existing cluster needs the cluster's state from a member; until that
transfer exists it reports ``needs_state_transfer`` and applies nothing, rather than compute a
state that differs from its peers'. The cluster state, buffered operations and unsent messages
are sealed with every checkpoint (companion ``contracts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from khala.contracts.cluster import ClusterRuntime
from khala.contracts.cluster_state import ClusterState
from khala.contracts.engine import WasmEngine
from khala.contracts.execution import ExecOutcome
from khala.contracts.pink import PinkBackend
from khala.enclave.backend import EnclaveBackend, EnclaveError
from khala.offchain.contract_keys import DerivedKey, open_cluster_key
from khala.offchain.routing import Delivery, Route
from khala.primitives.crypto.errors import EnvelopeError
from khala.primitives.scale import H256, U32, U64, ScaleError, codec_of, encode
from khala.runtime.modules.mq.state import next_sequence
from khala.runtime.modules.mq.types import MessageOrigin, SignedMessage
from khala.runtime.modules.phat import payloads
from khala.runtime.modules.phat.topics import CLUSTER, CLUSTER_KEY_DISTRIBUTION
from khala.runtime.modules.phat.types import ClusterInfo
from khala.runtime.state import State
from khala.service.files import write_atomic
from khala.worker.identity import WorkerKeys

log = structlog.get_logger("khala.worker.contracts")

KEY_FILE = "cluster-key.sealed"
"""The sealed cluster key (cluster id ‖ key) in the worker's base path."""
KEY_LABEL = b"khala/cluster-key"
"""Sealing label of the cluster key."""
COMPANION = "contracts"
"""Name of the contract host's checkpoint companion."""


@dataclass(frozen=True, slots=True)
class Buffered:
    """An operation that arrived before the cluster key."""

    block: U32
    """Its block."""
    now_ms: U64
    """That block's time."""
    operation: payloads.ClusterOperation
    """The operation."""


@dataclass(frozen=True, slots=True)
class ContractsSnapshot:
    """What a checkpoint keeps of the host."""

    cluster: H256 | None
    """The cluster served."""
    info: ClusterInfo | None
    """Its settings."""
    joined_late: bool
    """Whether the worker joined an existing cluster (and waits for a state transfer)."""
    items: list[tuple[bytes, bytes]]
    """The cluster state."""
    buffered: list[Buffered]
    """Operations waiting for the key."""
    pending: list[SignedMessage]
    """Signed messages the chain has not accepted yet."""


_SNAPSHOT = codec_of(ContractsSnapshot)


class ContractsHost:
    """The worker's side of confidential contracts."""

    def __init__(
        self,
        keys: WorkerKeys,
        backend: EnclaveBackend,
        base_path: Path,
        pink: PinkBackend,
        engine: WasmEngine | None = None,
        saved: bytes | None = None,
    ) -> None:
        """Load the sealed cluster key, if any, and continue from ``saved`` (a companion)."""
        self.keys = keys
        self.backend = backend
        self.path = base_path / KEY_FILE
        self.pink = pink
        self.engine = engine or WasmEngine()
        self.cluster: bytes | None = None
        self.info: ClusterInfo | None = None
        self.joined_late = False
        self.key: DerivedKey | None = None
        self.runtime: ClusterRuntime | None = None
        self.buffered: list[Buffered] = []
        self.pending: dict[bytes, dict[int, SignedMessage]] = {}
        self.height = 0
        self.now_ms = 0
        items: list[tuple[bytes, bytes]] = []
        if saved is not None:
            state = _SNAPSHOT.decode(saved)
            self.cluster = None if state.cluster is None else bytes(state.cluster)
            self.info, self.joined_late = state.info, state.joined_late
            items, self.buffered = state.items, list(state.buffered)
            for message in state.pending:
                self._keep(message)
        self._load_key()
        if self.key is not None and self.cluster is not None and self.info is not None:
            self._start(ClusterState(items))

    @staticmethod
    def opens(saved: bytes) -> bool:
        """Whether a companion decodes (one saved by an older release may not)."""
        try:
            _SNAPSHOT.decode(saved)
        except ScaleError:
            return False
        return True

    def routes(self) -> list[Route[Any]]:
        """Subscriptions: cluster operations and key distributions."""
        return [
            Route(CLUSTER, self.on_operation),
            Route(CLUSTER_KEY_DISTRIBUTION, self.on_key),
        ]

    def on_operation(
        self, at: Delivery, sender: MessageOrigin, operation: payloads.ClusterOperation
    ) -> None:
        """Follow membership; apply (or buffer) the operations of the cluster served."""
        me = self.keys.identity.public_key
        self.height, self.now_ms = at.block, at.time_s * 1000
        if isinstance(operation, payloads.ClusterCreated):
            if me in [bytes(worker.pubkey) for worker in operation.workers]:
                self.cluster, self.info, self.joined_late = (
                    bytes(operation.cluster),
                    operation.info,
                    False,
                )
                log.info("serving cluster", cluster="0x" + self.cluster.hex())
            return
        if bytes(getattr(operation, "cluster", b"")) != self.cluster:
            return
        if isinstance(operation, payloads.WorkerAdded):
            return
        if isinstance(operation, payloads.WorkerRemoved | payloads.ClusterDestroyed):
            if isinstance(operation, payloads.ClusterDestroyed) or bytes(operation.worker) == me:
                log.info("left cluster", cluster="0x" + (self.cluster or b"").hex())
                self._leave()
            return
        if self.joined_late:
            return
        if self.runtime is None:
            self.buffered.append(Buffered(at.block, at.time_s * 1000, operation))
            return
        self._apply(at.block, at.time_s * 1000, operation)

    def on_key(
        self, at: Delivery, sender: MessageOrigin, distribution: payloads.ClusterKeyDistribution
    ) -> None:
        """Take in the cluster key addressed to this worker, then replay what was buffered."""
        me = self.keys.identity.public_key
        if bytes(distribution.worker) != me:
            return
        if self.cluster != bytes(distribution.cluster) and not self._joins(distribution):
            return
        try:
            key = open_cluster_key(self.keys.ecdh_secret, me, distribution.envelope)
        except EnvelopeError as error:
            log.error("cluster key distribution does not open", error=error.message)
            return
        cluster = bytes(distribution.cluster)
        write_atomic(self.path, self.backend.seal(cluster + key.seed, KEY_LABEL))
        self.key = key
        if self.runtime is None and not self.joined_late and self.info is not None:
            self._start(ClusterState())
            buffered, self.buffered = self.buffered, []
            for item in buffered:
                self._apply(item.block, item.now_ms, item.operation)
        log.info("cluster key received", cluster="0x" + cluster.hex())

    def end_block(self, state: State) -> None:
        """Drop messages the chain accepted (per origin, by its verified ingress sequence)."""
        origins = codec_of(MessageOrigin)
        for origin_bytes, messages in list(self.pending.items()):
            accepted = next_sequence(state, origins.decode(origin_bytes))
            for sequence in [s for s in messages if s < accepted]:
                del messages[sequence]
            if not messages:
                del self.pending[origin_bytes]

    def egress(self) -> list[tuple[MessageOrigin, list[SignedMessage]]]:
        """Unaccepted signed messages by origin, in sequence order."""
        return [
            (messages[min(messages)].message.sender, [messages[s] for s in sorted(messages)])
            for messages in self.pending.values()
            if messages
        ]

    def query(
        self, contract: bytes, origin: bytes, data: bytes, deadline_s: float, value: int = 0
    ) -> ExecOutcome:
        """Run a read-only message against a snapshot of the current state (any thread)."""
        runtime = self.runtime
        if runtime is None:
            raise LookupError("this worker serves no cluster with a key yet")
        return runtime.query(
            contract,
            origin,
            data,
            block=self.height,
            now_ms=self.now_ms,
            deadline_s=deadline_s,
            value=value,
            state=runtime.state.snapshot(),
        )

    def snapshot(self) -> bytes:
        """The companion to seal with a checkpoint."""
        items = [] if self.runtime is None else list(self.runtime.state.items())
        pending = [m for messages in self.pending.values() for m in messages.values()]
        state = ContractsSnapshot(
            self.cluster, self.info, self.joined_late, items, self.buffered, pending
        )
        return _SNAPSHOT.encode(state)

    def status(self) -> dict[str, object]:
        """For ``/info``."""
        return {
            "cluster": None if self.cluster is None else "0x" + self.cluster.hex(),
            "has_key": self.key is not None,
            "needs_state_transfer": self.joined_late,
            "state_root": None if self.runtime is None else "0x" + self.runtime.root().hex(),
            "buffered_operations": len(self.buffered),
            "pending_messages": sum(len(m) for m in self.pending.values()),
        }

    def _joins(self, distribution: payloads.ClusterKeyDistribution) -> bool:
        """A key for a cluster this worker was added to after its creation."""
        if self.cluster is None:
            self.cluster, self.joined_late = bytes(distribution.cluster), True
            log.warning(
                "added to an existing cluster: its state must be transferred from a member",
                cluster="0x" + self.cluster.hex(),
            )
        return self.cluster == bytes(distribution.cluster)

    def _start(self, state: ClusterState) -> None:
        if self.key is None or self.cluster is None or self.info is None:
            return
        self.runtime = ClusterRuntime(
            self.engine, self.cluster, self.key, self.info, self.pink, state
        )

    def _apply(self, block: int, now_ms: int, operation: payloads.ClusterOperation) -> None:
        if self.runtime is None:
            return
        applied = self.runtime.apply(operation, block, now_ms)
        log.info(
            "cluster operation",
            kind=applied.kind,
            ok=applied.ok,
            detail=applied.detail,
            block=block,
        )
        for message in applied.messages:
            self._keep(message)

    def _keep(self, message: SignedMessage) -> None:
        self.pending.setdefault(encode(message.message.sender), {})[message.sequence] = message

    def _leave(self) -> None:
        self.cluster = self.info = self.key = self.runtime = None
        self.joined_late = False
        self.buffered = []
        self.path.unlink(missing_ok=True)

    def _load_key(self) -> None:
        if not self.path.exists():
            return
        try:
            raw = self.backend.unseal(self.path.read_bytes(), KEY_LABEL)
        except (EnclaveError, OSError) as error:
            log.error("the sealed cluster key does not open", error=str(error))
            return
        if self.cluster is None or raw[:32] == self.cluster:
            self.cluster = raw[:32]
            self.key = DerivedKey(raw[32:])
