"""Feeding verified-able block data to workers, and carrying their egress to the chain.

Each round: ask every worker for its height; fetch the finalized blocks after the lowest one
**once** (``khala_syncBlocks``) and feed each worker the part it lacks; then relay each worker's
pending egress messages in sequence order (a worker may serve several origins: its own, and the
gatekeepers' when it is one), skipping those the chain has already accepted or that are in
flight — once per relayer, so identical gatekeeper copies are relayed once. A
worker that fails (unreachable, or refusing a block) is logged and skipped; the others go on.
Progress (per-worker height) is persisted in a JSON file so a restarted relayer reports where it
left off; the workers themselves are the authority on what they have verified.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import structlog

from khala.errors import KhalaError
from khala.primitives.crypto import Keypair
from khala.primitives.hashing import hash_key
from khala.primitives.scale import codec_of
from khala.relayer.progress import SyncProgress, SyncSnapshot
from khala.relayer.registration import redact
from khala.relayer.submitter import Submitter
from khala.runtime.modules.mq.calls import SyncOffchainMessage
from khala.runtime.modules.mq.state import INGRESS_SEQUENCE
from khala.runtime.modules.mq.types import SignedMessage
from khala.sdk import AsyncClient, SdkError, SdkErrorCode
from khala.sdk.backoff import Backoff
from khala.sdk.worker_api import HttpWorkerApi, WorkerApi
from khala.service.files import write_atomic

log = structlog.get_logger("khala.relayer.sync")

DEFAULT_BATCH = 200
"""Blocks per sync request."""
DEFAULT_POLL_S = 1.0
"""How often to look for new finalized blocks once caught up."""
RESUBMIT_AFTER_S = 30.0
"""Resend an egress message not yet accepted after this long."""
_SIGNED = codec_of(SignedMessage)


@dataclass(slots=True)
class TrackedWorker:
    """What the relayer knows about one worker."""

    url: str
    """Its control API URL (may carry its token as ``http://:TOKEN@host:port``)."""
    height: int = -1
    """Its verified height, as it last reported."""
    backoff: Backoff = field(default_factory=Backoff)
    """Retry delays while it is unreachable."""
    retry_at: float = 0.0
    """Monotonic time before which an unreachable worker is not asked again."""
    api: WorkerApi | None = None
    """The client of its control API (set when the loop starts; a fake in tests)."""

    def client(self) -> WorkerApi:
        """Its API client.

        Raises:
            SdkError: ``sdk.connection_failed`` before the loop connected it.
        """
        if self.api is None:
            raise SdkError(SdkErrorCode.CONNECTION_FAILED, f"{self.shown} is not connected")
        return self.api

    @property
    def shown(self) -> str:
        """The URL without its token, for logs."""
        return redact(self.url)


@dataclass(frozen=True, slots=True)
class SyncConfig:
    """Everything the sync loop needs."""

    node_url: str
    """The chain node's RPC URL."""
    workers: tuple[str, ...]
    """The workers' API URLs (several: fleet mode)."""
    operator: Keypair
    """Pays for relayed egress messages."""
    batch: int = DEFAULT_BATCH
    """Blocks per fetch."""
    state_file: Path | None = None
    """Where per-worker progress is persisted."""
    poll_s: float = DEFAULT_POLL_S
    """Polling interval when caught up."""
    show_progress: bool = True
    """Show sync progress on stderr (a bar while catching up, a summary a minute after)."""
    submitter: Submitter | None = None
    """Shared nonce serialisation with the registration tasks."""


class Syncer:
    """The relayer's sync and egress loop over a fleet of workers."""

    def __init__(
        self,
        config: SyncConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        progress: SyncProgress | None = None,
    ) -> None:
        """Track every configured worker; ``clock`` is monotonic seconds.

        ``progress`` defaults to a display on stderr when ``config.show_progress``.
        """
        self.config = config
        self.clock = clock
        if progress is None and config.show_progress:
            progress = SyncProgress()
        self.progress = progress
        self.workers = [TrackedWorker(url.rstrip("/")) for url in config.workers]
        self.submitter = config.submitter or Submitter(config.operator)
        self._relayed = 0
        self._synced = 0
        self._submitted: dict[tuple[bytes, int], float] = {}
        """(origin, sequence) pairs in flight, with when; shared by all workers, so the
        gatekeepers' identical messages are relayed once."""

    async def run_round(self, client: AsyncClient) -> bool:
        """One round; returns True when every reachable worker is at the finalized head."""
        finalized = await client.rpc("chain_getFinalizedHead")
        head = int((await client.rpc("chain_getHeader", finalized))["number"], 16)
        reachable = [worker for worker in self.workers if await self._refresh_height(worker)]
        behind = [worker for worker in reachable if worker.height < head]
        if behind:
            start = min(worker.height for worker in behind) + 1
            blocks = await client.rpc("khala_syncBlocks", start, self.config.batch)
            for worker in behind:
                await self._feed(worker, blocks)
        self._report(head, reachable)
        for worker in reachable:
            await self._relay_egress(client, worker)
        self._persist()
        return not any(worker.height < head for worker in reachable)

    async def run_forever(self) -> None:
        """Catch up, then follow the finalized head, until cancelled."""
        async with (
            AsyncClient(self.config.node_url) as client,
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session,
        ):
            await client.wait_until_reachable(self._waiting_for_node)
            for worker in self.workers:
                worker.api = HttpWorkerApi(worker.url, session)
            backoff = Backoff()
            while True:
                try:
                    caught_up = await self.run_round(client)
                except KhalaError as error:
                    delay = backoff.next_delay()
                    log.error(
                        "sync round failed",
                        code=error.code.value,
                        error=error.message,
                        retry_in_s=delay,
                    )
                    await asyncio.sleep(delay)
                    continue
                backoff.reset()
                if caught_up:
                    await asyncio.sleep(self.config.poll_s)

    def _waiting_for_node(self, delay: float, error: KhalaError) -> None:
        log.warning(
            "waiting for the node", node=self.config.node_url, retry_in_s=delay, error=error.message
        )

    async def _refresh_height(self, worker: TrackedWorker) -> bool:
        """Ask a worker its height; an unreachable one is retried with exponential backoff."""
        now = self.clock()
        if now < worker.retry_at:
            return False
        try:
            worker.height = await worker.client().synced_height()
        except SdkError as error:
            delay = worker.backoff.next_delay()
            worker.retry_at = now + delay
            log.warning(
                "worker unreachable", worker=worker.shown, error=error.message, retry_in_s=delay
            )
            return False
        if worker.backoff.attempts:
            log.info("worker reachable again", worker=worker.shown, height=worker.height)
            worker.backoff.reset()
        return True

    async def _feed(self, worker: TrackedWorker, blocks: list[Any]) -> None:
        wanted = [block for block in blocks if block["number"] > worker.height]
        if not wanted or wanted[0]["number"] != worker.height + 1:
            return
        try:
            outcome = await worker.client().sync(wanted)
        except SdkError as error:
            log.warning("sync to worker failed", worker=worker.shown, error=error.message)
            return
        self._synced += outcome.imported
        if outcome.synced_height >= 0:
            worker.height = outcome.synced_height
        if outcome.error:
            log.warning("worker refused a block", worker=worker.shown, **outcome.error)

    async def _relay_egress(self, client: AsyncClient, worker: TrackedWorker) -> None:
        try:
            queues = await worker.client().egress()
        except SdkError as error:
            log.warning("egress fetch failed", worker=worker.shown, error=error.message)
            return
        for queue in queues:
            if queue.messages:
                await self._relay_queue(client, worker, queue.origin, queue.messages)

    async def _relay_queue(
        self,
        client: AsyncClient,
        worker: TrackedWorker,
        origin: bytes,
        messages: list[tuple[int, bytes]],
    ) -> None:
        """Submit one origin's pending messages in order, skipping accepted and in-flight ones."""
        key = INGRESS_SEQUENCE.prefix + hash_key(INGRESS_SEQUENCE.hasher, origin)
        raw = await client.rpc("state_getStorage", "0x" + key.hex())
        accepted_until = INGRESS_SEQUENCE.decode_value(
            None if raw is None else bytes.fromhex(raw[2:])
        )
        now = self.clock()
        for sequence, encoded in sorted(messages):
            sent = self._submitted.get((origin, sequence))
            if sequence < accepted_until or (sent is not None and now - sent < RESUBMIT_AFTER_S):
                continue
            signed = _SIGNED.decode(encoded)
            call = SyncOffchainMessage(signed)
            try:
                await self.submitter.submit(client, call, wait=False)
            except KhalaError as error:
                log.warning(
                    "egress submission refused",
                    worker=worker.shown,
                    sequence=sequence,
                    error=error.message,
                )
                return
            self._submitted[(origin, sequence)] = now
            self._relayed += 1
            log.info(
                "message relayed",
                worker=worker.shown,
                sequence=sequence,
                topic=signed.message.destination.decode(errors="replace"),
            )
        for done in [d for d in self._submitted if d[0] == origin and d[1] < accepted_until]:
            del self._submitted[done]

    def _report(self, head: int, reachable: list[TrackedWorker]) -> None:
        """Hand the round's figures to the progress display (see :mod:`khala.relayer.progress`)."""
        if self.progress is None or not reachable:
            return
        self.progress.report(
            SyncSnapshot(
                self.clock(),
                head,
                min(worker.height for worker in reachable),
                len(reachable),
                len(self.workers),
                self._synced,
                self._relayed,
            )
        )

    def _persist(self) -> None:
        path = self.config.state_file
        if path is None:
            return
        heights = {worker.shown: worker.height for worker in self.workers}
        write_atomic(path, json.dumps(heights).encode())
