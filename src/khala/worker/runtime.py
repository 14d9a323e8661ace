"""The worker's core: verified chain state, message dispatch, egress and checkpoints.

Blocks arrive from the relayer in batches; each goes through the light client; the verified
block's outbound messages go through one router (topic -> one handler, declared topics only; a
message its topic's declaration refuses is counted, logged and never handled); the send queue
is purged against the chain's verified ingress sequence; a checkpoint is sealed every
``checkpoint_interval`` blocks. A batch stops at the first refused block: the worker keeps its
last good state and reports the error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

from khala.enclave.backend import EnclaveBackend
from khala.offchain.routing import Delivery, Route, Router
from khala.primitives.trie import Layout, Trie, build_root
from khala.runtime.modules.mq.constants import (
    MAX_PING_PAYLOAD,
    PING_SENDER,
    PONG_TOPIC,
)
from khala.runtime.modules.mq.state import next_sequence
from khala.runtime.modules.mq.topics import PING
from khala.runtime.modules.mq.types import Message, MessageOrigin, PalletOrigin, WorkerOrigin
from khala.runtime.modules.timestamp.state import NOW
from khala.runtime.table import RUNTIME
from khala.snapshot.format import SnapshotError, SnapshotErrorCode, load_verified_state
from khala.worker import checkpoint
from khala.worker.contracts import COMPANION as CONTRACTS_COMPANION
from khala.worker.contracts import ContractsHost
from khala.worker.gatekeeper import COMPANION, GatekeeperHost
from khala.worker.identity import WorkerKeys
from khala.worker.light_client import LightClient, SyncBlock, SyncError
from khala.worker.mining import MiningHost
from khala.worker.pink_backend import WorkerPinkBackend
from khala.worker.send_queue import SendQueue

log = structlog.get_logger("khala.worker.sync")

DEFAULT_CHECKPOINT_INTERVAL = 100
"""Blocks between checkpoints."""
LIVE_WINDOW_S = 30
"""A block at most this old (by the worker's clock) is live: benchmarks count and challenges
are answered; older blocks are history being caught up on."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What a batch did."""

    imported: int
    """Blocks adopted."""
    height: int
    """The verified head after the batch."""
    error: SyncError | None
    """Why the batch stopped early, if it did."""


class WorkerRuntime:
    """A worker's verified view of the chain and its message handling."""

    def __init__(
        self,
        keys: WorkerKeys,
        backend: EnclaveBackend,
        genesis_hash: bytes,
        base_path: Path,
        checkpoint_interval: int = DEFAULT_CHECKPOINT_INTERVAL,
        *,
        iterations: Callable[[], int] = lambda: 0,
        counted_ms: Callable[[], int] = lambda: 0,
        clock: Callable[[], float] = lambda: 0.0,
        gatekeeper: bool = False,
        from_snapshot: Path | None = None,
    ) -> None:
        """Resume from the newest checkpoint, or start before genesis.

        ``iterations`` reads the benchmark counter and ``counted_ms`` its counting time;
        ``clock`` is wall time in seconds (a block
        is *live*, and mining effects happen, when its time is within 30 s of it).
        ``gatekeeper`` runs the economics replay and master key handling as well.
        ``from_snapshot`` starts from a verified snapshot when there is no checkpoint.

        Raises:
            SnapshotError: When the snapshot does not verify (or for a gatekeeper).
        """
        self.clock = clock
        self.keys = keys
        self.backend = backend
        self.base_path = base_path
        self.checkpoint_interval = checkpoint_interval
        self.client = LightClient(genesis_hash)
        self.queue = SendQueue(keys.identity)
        self.received: list[Message] = []
        snapshot = checkpoint.load_latest(base_path, backend, keys.identity.public_key)
        companion = None
        contracts_saved = None
        if snapshot is not None and gatekeeper:
            number = snapshot.head.number
            companion = checkpoint.load_companion(base_path, backend, number, COMPANION)
            if companion is not None and not GatekeeperHost.opens(companion):
                log.warning("gatekeeper state of another format; replaying from genesis")
                companion = None
            if companion is None:
                log.warning("no gatekeeper state for the checkpoint; replaying from genesis")
                snapshot = None
        if snapshot is not None and not gatekeeper:
            contracts_saved = checkpoint.load_companion(
                base_path, backend, snapshot.head.number, CONTRACTS_COMPANION
            )
            if contracts_saved is not None and not ContractsHost.opens(contracts_saved):
                log.warning("contract state of another format; starting without it")
                contracts_saved = None
        if snapshot is not None and snapshot.genesis_hash == genesis_hash:
            root = build_root(snapshot.items, Layout.V1, self.client.store)
            self.client.restore(snapshot.head, Trie(self.client.store, Layout.V1, root))
            self.queue = SendQueue(keys.identity, snapshot.next_sequence, snapshot.pending)
        elif from_snapshot is not None:
            if gatekeeper:
                raise SnapshotError(
                    SnapshotErrorCode.GATEKEEPER,
                    "a gatekeeper replays every block since genesis; start it without "
                    "--from-snapshot",
                )
            head, trie = load_verified_state(from_snapshot, genesis_hash, self.client.store)
            self.client.restore(head.header, trie)
            log.info("started from a snapshot", path=str(from_snapshot), head=head.header.number)
        self.mining = MiningHost(self.queue, iterations, counted_ms)
        self.gatekeeper = (
            GatekeeperHost(keys, backend, base_path, self.queue, companion) if gatekeeper else None
        )
        self.contracts = (
            ContractsHost(
                keys,
                backend,
                base_path,
                WorkerPinkBackend(backend, keys.ecdh_public, clock),
                saved=contracts_saved,
            )
            if not gatekeeper
            else None
        )
        # One handler per topic: a gatekeeper replays everyone's mining and mines nothing itself,
        # and follows clusters only to publish and distribute their keys.
        if self.gatekeeper is None and self.contracts is not None:
            host_routes = [*self.mining.routes(), *self.contracts.routes()]
        else:
            host_routes = [] if self.gatekeeper is None else self.gatekeeper.routes()
        self.router = Router(RUNTIME.topics, [Route(PING, self._on_ping), *host_routes])

    @property
    def height(self) -> int:
        """The verified head's number (-1 before genesis)."""
        return self.client.height

    def head_timestamp_ms(self) -> int:
        """The verified head's block time (0 before the first block)."""
        return NOW.get(self.client.state()) if self.client.head is not None else 0

    def sync(self, blocks: list[SyncBlock]) -> SyncReport:
        """Import a batch in order, stopping at the first refused block."""
        imported = 0
        for block in blocks:
            try:
                messages = self.client.import_block(block)
            except SyncError as error:
                log.warning(
                    "block refused",
                    number=block.header.number,
                    code=error.code.value,
                    error=error.message,
                )
                return SyncReport(imported, self.height, error)
            imported += 1
            self._on_block(messages)
            self.queue.purge(
                next_sequence(self.client.state(), WorkerOrigin(self.keys.identity.public_key))
            )
            if self.height > 0 and self.height % self.checkpoint_interval == 0:
                self.save_checkpoint()
        return SyncReport(imported, self.height, None)

    def save_checkpoint(self) -> None:
        """Seal the current verified state now."""
        head = self.client.head
        if head is None:
            return
        if self.gatekeeper is not None:
            checkpoint.save_companion(
                self.base_path, self.backend, head.number, COMPANION, self.gatekeeper.snapshot()
            )
        if self.contracts is not None:
            checkpoint.save_companion(
                self.base_path,
                self.backend,
                head.number,
                CONTRACTS_COMPANION,
                self.contracts.snapshot(),
            )
        snapshot = checkpoint.Snapshot(
            self.keys.identity.public_key,
            self.client.genesis_hash,
            head,
            list(self.client.trie.items()),
            self.queue.next_sequence,
            self.queue.messages(),
        )
        path = checkpoint.save(self.base_path, self.backend, snapshot)
        log.info("checkpoint saved", head=head.number, path=str(path))

    def _on_block(self, messages: list[Message]) -> None:
        """Run the host's block: begin, the messages through the router, end."""
        state = self.client.state()
        time_s = NOW.get(state) // 1000
        live = self.clock() - time_s <= LIVE_WINDOW_S
        self.received.extend(messages)
        del self.received[:-100]
        if self.gatekeeper is None:
            self.mining.begin_block(state, self.height, time_s, live)
        else:
            self.gatekeeper.begin_block(state, self.height)
        for refused in self.router.deliver_all(Delivery(self.height, time_s), messages):
            log.warning(
                "message refused", block=self.height, code=refused.code.value, error=refused.message
            )
        if self.contracts is not None:
            self.contracts.end_block(state, self.height)
        if self.gatekeeper is None:
            self.mining.end_block(self.height)
        else:
            self.gatekeeper.end_block(state, self.height, live)

    def _on_ping(self, at: Delivery, sender: MessageOrigin, payload: bytes) -> None:
        """Answer governance's pings only: a pong costs the operator a fee to carry."""
        if (
            isinstance(sender, PalletOrigin)
            and sender.name == PING_SENDER
            and len(payload) <= MAX_PING_PAYLOAD
        ):
            self.queue.push(PONG_TOPIC, payload)
