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

from collections import OrderedDict
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
from khala.primitives.scale import ScaleError, codec_of, encode
from khala.runtime.modules.mq.state import next_sequence
from khala.runtime.modules.mq.types import MessageOrigin, SignedMessage
from khala.runtime.modules.phat import payloads
from khala.runtime.modules.phat.state import CLUSTER_WORKERS
from khala.runtime.modules.phat.topics import CLUSTER, CLUSTER_KEY_DISTRIBUTION
from khala.runtime.modules.phat.types import ClusterInfo
from khala.runtime.modules.registry.state import worker_info
from khala.runtime.state import State
from khala.service.files import write_atomic
from khala.worker.contracts_saved import Buffered, ContractsSnapshot
from khala.worker.identity import WorkerKeys
from khala.worker.state_transfer import (
    SignedStatement,
    SignedStateRequest,
    StateTransfer,
    TransferError,
    TransferErrorCode,
    agreed_root,
    check_request,
    open_state,
    seal_state,
    sign_statement,
)

log = structlog.get_logger("khala.worker.contracts")

KEY_FILE = "cluster-key.sealed"
"""The sealed cluster key (cluster id ‖ key) in the worker's base path."""
KEY_LABEL = b"khala/cluster-key"
"""Sealing label of the cluster key."""
COMPANION = "contracts"
"""Name of the contract host's checkpoint companion."""
MAX_BUFFERED = 100_000
"""Operations kept while waiting for the key or a state transfer (beyond, they are dropped and
the worker needs a fresh transfer)."""
ROOTS_KEPT = 64
"""Recent state roots remembered, so a newcomer's peers can confirm a transfer's root."""


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
        self.skip_until = 0
        self.recent_roots: OrderedDict[int, bytes] = OrderedDict()
        items: list[tuple[bytes, bytes]] = []
        if saved is not None:
            state = _SNAPSHOT.decode(saved)
            self.cluster = None if state.cluster is None else bytes(state.cluster)
            self.info, self.joined_late = state.info, state.joined_late
            self.skip_until = state.skip_until
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
        if at.block <= self.skip_until:
            return  # already in the state this worker was handed
        if self.runtime is None:  # no key yet, or waiting for the state from a member
            if len(self.buffered) < MAX_BUFFERED:
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

    def end_block(self, state: State, height: int) -> None:
        """Note the block's state root; drop messages the chain accepted (per origin)."""
        self.height = height
        if self.runtime is not None:
            self.recent_roots[height] = self.runtime.root()
            while len(self.recent_roots) > ROOTS_KEPT:
                self.recent_roots.popitem(last=False)
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
            self.cluster,
            self.info,
            self.joined_late,
            self.skip_until,
            items,
            self.buffered,
            pending,
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

    def members(self, chain: State) -> set[bytes]:
        """The cluster's workers on chain (empty when serving none)."""
        if self.cluster is None:
            return set()
        return {bytes(worker) for worker in CLUSTER_WORKERS.get(chain, self.cluster)}

    def statement_at(self, height: int) -> SignedStatement | None:
        """This member's signed state root after ``height``, if it still remembers it."""
        root = self.recent_roots.get(height)
        if root is None or self.cluster is None:
            return None
        return sign_statement(self.keys.identity, self.cluster, height, root)

    def offer(
        self, signed: SignedStateRequest, chain: State, now_ms: int, entropy: bytes
    ) -> StateTransfer:
        """The cluster's state for a member added later (see :mod:`state_transfer`).

        Raises:
            TransferError: A bad or old request, a requester outside the cluster, or no state
                to give.
        """
        check_request(signed, now_ms)
        requester = bytes(signed.request.worker)
        if self.runtime is None or self.cluster != bytes(signed.request.cluster):
            raise TransferError(TransferErrorCode.NOT_READY, "this worker has no such state")
        registered = worker_info(chain, requester)
        if requester not in self.members(chain) or registered is None:
            raise TransferError(TransferErrorCode.NOT_A_MEMBER, "the requester is not a member")
        height = max(self.recent_roots, default=self.height)
        statement = self.statement_at(height)
        if statement is None:
            raise TransferError(TransferErrorCode.NOT_READY, "no state root recorded yet")
        items = list(self.runtime.state.items())
        envelope = seal_state(items, bytes(registered.ecdh_pubkey), requester, entropy)
        return StateTransfer(statement, envelope)

    def install(
        self,
        transfer: StateTransfer,
        statements: list[SignedStatement],
        members: set[bytes],
        info: ClusterInfo,
    ) -> None:
        """Adopt a transferred state every other member vouches for; replay what came after.

        ``members`` and ``info`` (the cluster's settings) come from the verified chain state.

        Raises:
            TransferError: When the state or the statements do not check out.
        """
        me = self.keys.identity.public_key
        if self.key is None:
            raise TransferError(TransferErrorCode.NOT_READY, "no cluster key yet")
        agreed = agreed_root(transfer, statements, members, me)
        if bytes(agreed.cluster) != self.cluster:
            raise TransferError(TransferErrorCode.ROOT_MISMATCH, "a state of another cluster")
        state = ClusterState(open_state(self.keys.ecdh_secret, me, transfer.envelope))
        if state.root() != bytes(agreed.root):
            raise TransferError(
                TransferErrorCode.ROOT_MISMATCH, "the state does not hash to the root"
            )
        self.info = info
        self._start(state)
        self.joined_late, self.skip_until = False, int(agreed.height)
        buffered, self.buffered = self.buffered, []
        for item in buffered:
            if item.block > self.skip_until:
                self._apply(item.block, item.now_ms, item.operation)
        log.info("cluster state installed", height=self.skip_until, root="0x" + state.root().hex())

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
