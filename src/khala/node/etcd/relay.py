"""Relaying accepted transactions to every other node of the cluster.

Any node accepts transactions: it validates and pools them as usual and this relay passes
each one a client submitted to every other member (``khala_relayExtrinsics``, batched),
which pools it without passing it on. Every node's pool then holds every accepted
transaction until a block includes it, so whichever node leads next builds from a full pool:
an accepted transaction survives the leader's crash, wherever it was submitted. A member that
does not answer keeps its queue (bounded) and gets it when it answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable

import aiohttp
import structlog

log = structlog.get_logger("khala.cluster")

RELAY_TIMEOUT_S = 5.0
"""Longest one relayed batch may take before it is retried."""
ROUND_S = 0.002
"""Pause before a relay round, so submissions arriving together travel in one batch (more
gather while a round's requests are in flight)."""
RETRY_S = 1.0
"""Pause before retrying a member that did not answer."""
MAX_BATCH = 512
"""Transactions per batch (``khala_relayExtrinsics``'s limit)."""
MAX_QUEUED = 50_000
"""Transactions kept for one unanswering member; older ones are dropped (the other members
still hold them)."""

Send = Callable[[str, list[bytes]], Awaitable[list[int]]]
"""Hands transactions to the node at a URL; returns the positions it refused for now (full
pool) to offer again later. Raises ``OSError``, ``aiohttp.ClientError`` or ``TimeoutError``
when the node does not answer."""
BACKOFF_S = 0.2
"""Pause before offering a member what it refused for now (its pool was full)."""


class JsonRpcSender:
    """Sends one JSON-RPC ``khala_relayExtrinsics`` call over HTTP."""

    def __init__(self) -> None:
        """No connection until the first send."""
        self._session: aiohttp.ClientSession | None = None

    async def __call__(self, url: str, transactions: list[bytes]) -> list[int]:
        """POST the batch; returns the positions refused for now (see ``Send``)."""
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=RELAY_TIMEOUT_S)
            self._session = aiohttp.ClientSession(timeout=timeout)
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "khala_relayExtrinsics",
            "params": [["0x" + raw.hex() for raw in transactions]],
        }
        async with self._session.post(url, json=body) as response:
            answer = await response.json(content_type=None)
        result = answer.get("result") if isinstance(answer, dict) else None
        retry = result.get("retry", []) if isinstance(result, dict) else []
        return [index for index in retry if isinstance(index, int)]

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None


class Relay:
    """Queues each locally accepted transaction for every other member and sends the queues."""

    def __init__(self, send: Send | None = None) -> None:
        """Relay to the members :meth:`set_members` names (nothing is sent before that)."""
        self.send: Send = send or JsonRpcSender()
        self.relayed = 0
        """Transactions handed to another member so far (statistics)."""
        self.members: list[str] | None = None
        """The other members' URLs; None until the first membership read."""
        self._unaddressed: list[bytes] = []
        self._queues: dict[str, deque[bytes]] = {}
        self._retry_at: dict[str, float] = {}
        self._arrived = asyncio.Event()
        self._accepted = 0
        self._done = 0
        self._round_done = asyncio.Condition()

    def set_members(self, urls: list[str]) -> None:
        """Relay to ``urls`` from now on (what was accepted before the first call goes to them)."""
        first = self.members is None
        self.members = list(urls)
        if first:
            for raw in self._unaddressed:
                self._enqueue(raw)
            self._unaddressed.clear()
            self._arrived.set()

    def accept(self, raw: bytes) -> None:
        """Queue a transaction a client submitted here for every other member."""
        if self.members is None:
            self._unaddressed.append(raw)
        else:
            self._enqueue(raw)
        self._accepted += 1
        self._arrived.set()

    def push(self, url: str, transactions: list[bytes]) -> None:
        """Queue ``transactions`` for one member (a new leader gets a follower's whole pool)."""
        queue = self._queues.setdefault(url, deque(maxlen=MAX_QUEUED))
        queue.extend(transactions)
        self._arrived.set()

    def _enqueue(self, raw: bytes) -> None:
        for url in self.members or []:
            self._queues.setdefault(url, deque(maxlen=MAX_QUEUED)).append(raw)

    async def settle(self) -> None:
        """Return once every transaction accepted so far was sent to each member that answers.

        A member that does not answer is retried later, without holding the caller; before the
        members are known, nothing settles.
        """
        target = self._accepted
        async with self._round_done:
            await self._round_done.wait_for(lambda: self._done >= target)

    async def run(self) -> None:
        """Send queued transactions until cancelled."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for may swallow the
                # task's cancellation when the event is set at the same moment, and the task
                # group stopping this relay would then wait forever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(RETRY_S):
                        await self._arrived.wait()
                self._arrived.clear()
                await asyncio.sleep(ROUND_S)
                if self.members is None:
                    continue
                reached = self._accepted
                current = set(self.members)
                flushes = []
                for url in list(self._queues):
                    if url not in current:
                        del self._queues[url]  # it left the cluster
                    elif self._retry_at.get(url, 0.0) <= loop.time():
                        flushes.append(self._flush(url, loop.time()))
                await asyncio.gather(*flushes)
                async with self._round_done:
                    self._done = reached
                    self._round_done.notify_all()
        finally:
            if isinstance(self.send, JsonRpcSender):
                await self.send.close()

    async def _flush(self, url: str, now: float) -> None:
        queue = self._queues[url]
        while queue:
            batch = [queue[index] for index in range(min(MAX_BATCH, len(queue)))]
            try:
                refused = await self.send(url, batch)
            except (OSError, aiohttp.ClientError, TimeoutError, ValueError) as error:
                self._retry_at[url] = now + RETRY_S
                log.warning("member unreachable; will retry", member=url, error=str(error))
                return
            for _ in batch:
                queue.popleft()
            self.relayed += len(batch) - len(refused)
            if refused:
                queue.extendleft(
                    reversed([batch[index] for index in refused if index < len(batch)])
                )
                self._retry_at[url] = now + BACKOFF_S
                return
        self._retry_at.pop(url, None)
