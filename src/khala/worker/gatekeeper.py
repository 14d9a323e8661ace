"""Gatekeeper mode (``khala worker --gatekeeper``): the master key and the economics replay.

Per verified block the host (1) records a master-key distribution intent for each gatekeeper
registered while the master key exists, and for every gatekeeper at the block where the key
is first published; (2) takes in a distribution addressed to it; (3) runs the economics replay
and records the block's settlement; (4) publishes a fresh master key if it is a gatekeeper and
none exists yet. Intents are numbered identically on every gatekeeper (see
:mod:`khala.offchain.gatekeeper_queue`) and signed only when relayed, by a host whose key
matches the chain's master public key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from khala.enclave.backend import EnclaveBackend, EnclaveError, EnclaveErrorCode
from khala.offchain.gatekeeper import GatekeeperEconomics
from khala.offchain.gatekeeper_queue import (
    ClusterKeyDistributeIntent,
    ClusterKeyIntent,
    ContractKeyIntent,
    DistributeIntent,
    GatekeeperQueue,
    QueueState,
    SettleIntent,
)
from khala.offchain.gatekeeper_state import EconomicsSnapshot, restore, snapshot
from khala.offchain.master_key import MASTER_KEY_LENGTH, open_master_key, signing_key
from khala.offchain.routing import Delivery, Route, Router
from khala.primitives.crypto.errors import EnvelopeError
from khala.primitives.fixed_point import ZERO
from khala.primitives.scale import H256, ScaleError, codec_of, encode
from khala.primitives.units import format_amount
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.topics import CHALLENGE, HEARTBEAT, WORKER_EVENT
from khala.runtime.modules.mq.state import next_sequence
from khala.runtime.modules.mq.types import GatekeeperOrigin, Message, MessageOrigin, SignedMessage
from khala.runtime.modules.phat.payloads import (
    ClusterCreated,
    ClusterOperation,
    InstantiateRequest,
    WorkerAdded,
)
from khala.runtime.modules.phat.topics import CLUSTER
from khala.runtime.modules.registry import state as rst
from khala.runtime.modules.registry.constants import MASTER_PUBKEY_TOPIC
from khala.runtime.modules.registry.topics import GATEKEEPER_REGISTERED, MASTER_KEY
from khala.runtime.modules.registry.types import (
    MasterKeyDistribution,
    MasterPubkeyUpload,
    NewGatekeeper,
)
from khala.runtime.state import State
from khala.runtime.table import RUNTIME
from khala.service.files import write_atomic
from khala.worker.identity import WorkerKeys
from khala.worker.send_queue import SendQueue

log = structlog.get_logger("khala.worker.gatekeeper")

MASTER_FILE = "master-key.sealed"
"""The sealed master key in the worker's base path."""
MASTER_LABEL = b"khala/master-key"
"""Sealing label of the master key."""
COMPANION = "gatekeeper"
"""Name of the gatekeeper's checkpoint companion file."""


@dataclass(frozen=True, slots=True)
class GatekeeperSnapshot:
    """The host's checkpointable state."""

    economics: EconomicsSnapshot
    """The replay."""
    queue: QueueState
    """Numbered intents."""
    master_published: H256 | None
    """The master public key as of the checkpoint's block (to notice its publication)."""


_SNAPSHOT = codec_of(GatekeeperSnapshot)


class GatekeeperHost:
    """A gatekeeper's replay, queue and master key."""

    def __init__(
        self,
        keys: WorkerKeys,
        backend: EnclaveBackend,
        base_path: Path,
        worker_queue: SendQueue,
        saved: bytes | None = None,
    ) -> None:
        """Load the sealed master key if any; continue from ``saved`` (a companion) if given."""
        self.keys = keys
        self.backend = backend
        self.path = base_path / MASTER_FILE
        self.worker_queue = worker_queue
        self.master: bytes | None = self._load_master()
        self.economics: GatekeeperEconomics | None = None
        self.queue = GatekeeperQueue()
        self.published: bytes | None = None
        self.active = False
        self._uploaded = False
        self._block_published: bytes | None = None
        self._counter = 0
        if saved is not None:
            state = _SNAPSHOT.decode(saved)
            self._saved_economics: EconomicsSnapshot | None = state.economics
            self.queue = GatekeeperQueue(state.queue)
            self.published = (
                None if state.master_published is None else bytes(state.master_published)
            )
        else:
            self._saved_economics = None

    @staticmethod
    def opens(saved: bytes) -> bool:
        """Whether a companion decodes (one saved by an older release may not)."""
        try:
            _SNAPSHOT.decode(saved)
        except ScaleError:
            return False
        return True

    def _load_master(self) -> bytes | None:
        """The sealed master key, if this gatekeeper holds one.

        Raises:
            EnclaveError: ``enclave.seal_corrupt`` naming the file when it does not open: a
                gatekeeper never carries on as if it had no key.
        """
        if not self.path.exists():
            return None
        try:
            return self.backend.unseal(self.path.read_bytes(), MASTER_LABEL)
        except (EnclaveError, OSError) as error:
            reason = error.message if isinstance(error, EnclaveError) else str(error)
            raise EnclaveError(
                EnclaveErrorCode.SEAL_CORRUPT,
                f"the sealed master key {self.path} does not open ({reason}); restore it from "
                "a backup, or move it away to receive the key again from another gatekeeper",
            ) from None

    def _store_master(self, master: bytes) -> None:
        write_atomic(self.path, self.backend.seal(master, MASTER_LABEL))
        self.master = master

    def snapshot(self) -> bytes:
        """The companion to seal with a checkpoint."""
        if self.economics is not None:
            saved = snapshot(self.economics)
        else:
            saved = self._saved_economics or EconomicsSnapshot(ZERO, [])
        return _SNAPSHOT.encode(GatekeeperSnapshot(saved, self.queue.state(), self.published))

    def routes(self) -> list[Route[Any]]:
        """The host's subscriptions: new gatekeepers, key distributions and the replay's."""
        return [
            Route(GATEKEEPER_REGISTERED, self.on_gatekeeper_registered),
            Route(MASTER_KEY, self.on_master_key),
            Route(
                WORKER_EVENT,
                lambda at, sender, event: self._replay().on_worker_event(at, sender, event),
            ),
            Route(
                HEARTBEAT, lambda at, sender, beat: self._replay().on_heartbeat(at, sender, beat)
            ),
            Route(
                CHALLENGE,
                lambda at, sender, challenge: self._replay().on_challenge(at, sender, challenge),
            ),
            Route(CLUSTER, self.on_cluster_operation),
        ]

    def on_cluster_operation(
        self, at: Delivery, sender: MessageOrigin, operation: ClusterOperation
    ) -> None:
        """Queue key publications and cluster key distributions for contract clusters."""
        if isinstance(operation, ClusterCreated):
            self.queue.push(ClusterKeyIntent(operation.cluster))
            for worker in operation.workers:
                self._distribute_cluster_key(operation.cluster, worker.pubkey, worker.ecdh, at)
        elif isinstance(operation, WorkerAdded):
            worker = operation.worker
            self._distribute_cluster_key(operation.cluster, worker.pubkey, worker.ecdh, at)
        elif isinstance(operation, InstantiateRequest):
            self.queue.push(ContractKeyIntent(operation.contract, operation.cluster))

    def _distribute_cluster_key(
        self, cluster: bytes, worker: bytes, ecdh: bytes, at: Delivery
    ) -> None:
        self.queue.push(ClusterKeyDistributeIntent(cluster, worker, ecdh, at.block, self._counter))
        self._counter += 1

    def on_block(
        self, state: State, block: int, time_s: int, messages: list[Message], live: bool
    ) -> None:
        """Process one verified block (standalone: through the host's own router).

        A new master key is only generated while ``live``.
        """
        self.begin_block(state, block)
        Router(RUNTIME.topics, self.routes()).deliver_all(Delivery(block, time_s), messages)
        self.end_block(state, block, live)

    def begin_block(self, state: State, block: int) -> None:
        """Before a block's messages: parameters, and distributions when the key appears."""
        params = cst.TOKENOMIC_PARAMETERS.get(state)
        if self.economics is None:
            saved = self._saved_economics
            self.economics = (
                GatekeeperEconomics(params) if saved is None else restore(saved, params)
            )
        elif self.economics.params != params:
            self.economics.set_params(params, block)
        self.economics.begin_block()
        published = rst.MASTER_PUBKEY.get(state)
        self._block_published = None if published is None else bytes(published)
        self._counter = 0
        if published is not None and self.published is None:
            for keeper in rst.GATEKEEPERS.get(state):
                self._distribute(state, bytes(keeper), block)

    def on_gatekeeper_registered(
        self, at: Delivery, sender: MessageOrigin, announced: NewGatekeeper
    ) -> None:
        """Queue the master key for a gatekeeper added after the key was published."""
        if self._block_published is not None and self.published is not None:
            intent = DistributeIntent(
                announced.pubkey, announced.ecdh_pubkey, at.block, self._counter
            )
            self.queue.push(intent)
            self._counter += 1

    def on_master_key(
        self, at: Delivery, sender: MessageOrigin, distribution: MasterKeyDistribution
    ) -> None:
        """Take in a distribution addressed to this gatekeeper (see :meth:`_receive`)."""
        self._receive(distribution, self._block_published)

    def end_block(self, state: State, block: int, live: bool) -> None:
        """After a block's messages: settle, purge relayed intents, generate the key if due."""
        published = self._block_published
        self.published = published
        update = self._replay().end_block(block)
        if update is not None:
            self.queue.push(SettleIntent(encode(update)))
            if live:
                log.info(
                    "settlement queued",
                    block=block,
                    settled=len(update.settle),
                    payout=format_amount(sum(item.payout for item in update.settle)),
                    treasury=format_amount(sum(item.treasury for item in update.settle)),
                    offline=len(update.offline),
                    recovered=len(update.recovered_to_online),
                )
        self.queue.purge(next_sequence(state, GatekeeperOrigin()))
        self._maybe_generate(state, published, live)
        me = self.keys.identity.public_key
        registered = me in [bytes(key) for key in rst.GATEKEEPERS.get(state)]
        holds = self.master is not None and published == signing_key(self.master).public_key
        self.active = holds and registered  # an unregistered gatekeeper falls silent

    def _replay(self) -> GatekeeperEconomics:
        if self.economics is None:  # begin_block creates it before any message
            raise RuntimeError("gatekeeper messages delivered before begin_block")
        return self.economics

    def _distribute(self, state: State, keeper: bytes, block: int) -> None:
        info = rst.worker_info(state, keeper)
        if info is None:
            return
        self.queue.push(DistributeIntent(keeper, info.ecdh_pubkey, block, self._counter))
        self._counter += 1

    def _receive(self, distribution: MasterKeyDistribution, published: bytes | None) -> None:
        me = self.keys.identity.public_key
        if bytes(distribution.dest) != me or published is None:
            return
        if self.master is not None and signing_key(self.master).public_key == published:
            return
        try:
            master = open_master_key(self.keys.ecdh_secret, me, distribution.envelope)
        except EnvelopeError as error:
            log.error("master key distribution does not open", error=error.message)
            return
        if len(master) != MASTER_KEY_LENGTH or signing_key(master).public_key != published:
            log.error("distributed master key does not match the chain's master public key")
            return
        self._store_master(master)
        log.info("master key received", master_pubkey="0x" + bytes(published).hex())

    def _maybe_generate(self, state: State, published: bytes | None, live: bool) -> None:
        me = self.keys.identity.public_key
        if published is not None:
            if self.master is not None and signing_key(self.master).public_key != published:
                log.info("another gatekeeper's master key was published; discarding ours")
                self.path.unlink(missing_ok=True)
                self.master = None
            return
        if not live or self._uploaded:
            return
        if me not in [bytes(key) for key in rst.GATEKEEPERS.get(state)]:
            return
        master = self.master
        if master is None:
            master = self.backend.random(MASTER_KEY_LENGTH)
            self._store_master(master)
            log.info("master key generated")
        upload = MasterPubkeyUpload(signing_key(master).public_key)
        self.worker_queue.push(MASTER_PUBKEY_TOPIC, encode(upload))
        self._uploaded = True

    def egress(self) -> list[SignedMessage]:
        """Pending intents signed with the master key (none until this host holds it)."""
        if not self.active or self.master is None:
            return []
        return self.queue.signed(self.master)

    def status(self) -> dict[str, object]:
        """For ``/info``."""
        workers = 0 if self.economics is None else len(self.economics.engine.workers)
        return {
            "holds_master_key": self.active,
            "computing_workers": workers,
            "pending_messages": len(self.queue.pending),
            "next_sequence": self.queue.next_sequence,
        }
