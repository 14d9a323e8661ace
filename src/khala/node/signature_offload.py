"""Verifying submitted transactions' signatures in child processes, off the event loop.

The RPC server hands the signatures of a request's transactions to :meth:`Node.preverify
<khala.node.node.Node.preverify>`, which asks a :class:`SignatureOffload`. Signatures asked for
in the same turn of the event loop travel in one frame to the least busy child process
(:mod:`khala.node.signature_worker`), and the callers await the verdicts while the loop goes
on serving. Whatever goes wrong here answers "not verified": the pool then verifies the
signature itself, as it would without an offload. A child that exits, breaks the format or
stops answering for :data:`VERIFY_TIMEOUT_S` is killed; another starts on a later call, after
:data:`RESTART_DELAY_S`.

Each frame costs the loop a pipe write, a read and a few callbacks, with no task or timer per
call: the point is to take work off the loop, not to add some.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections import deque
from collections.abc import Sequence
from typing import cast

import structlog

from khala.node.signature_worker import (
    FRAME_LENGTH,
    MAX_FRAME_BYTES,
    Signature,
    encode_request,
    well_formed,
)

log = structlog.get_logger("khala.node.signatures")

VERIFY_TIMEOUT_S = 10.0
"""Oldest a frame may get unanswered before its child is killed and its callers verify
themselves (a child verifies over 10,000 signatures a second: only a stuck child takes this
long)."""
RESTART_DELAY_S = 5.0
"""Wait after a child failed before starting another, doubled for each further failure in a
row (up to :data:`MAX_RESTART_DELAY_S`), so a child that cannot start costs neither a process
start per request nor a warning every few seconds."""
MAX_RESTART_DELAY_S = 300.0
"""Longest wait between restarts of a child that keeps failing."""
WATCHDOG_INTERVAL_S = 1.0
"""How often the oldest unanswered frame's age is checked against the timeout."""

Callers = list[tuple[int, "asyncio.Future[bytes]"]]
"""The callers of one frame: how many signatures each asked for, and its future."""


def default_processes() -> int:
    """Return how many verification processes to run by default.

    One when the machine has a second core, none otherwise: on one core the child would only
    take turns with the node.
    """
    return int(os.environ.get("SIGP", "1"))


def _answer(callers: Callers, verdicts: bytes | None) -> None:
    """Hand each caller its slice of a frame's verdicts (None: all unverified)."""
    offset = 0
    for count, future in callers:
        if not future.done():
            future.set_result(
                bytes(count) if verdicts is None else verdicts[offset : offset + count]
            )
        offset += count


class _Child(asyncio.SubprocessProtocol):
    """One verification process: writes frames, parses answers as they arrive."""

    def __init__(self, owner: SignatureOffload) -> None:
        self.owner = owner
        self.transport: asyncio.SubprocessTransport | None = None
        self.stdin: asyncio.WriteTransport | None = None
        self.waiting: deque[tuple[float, int, Callers]] = deque()
        """Frames sent and not answered, oldest first: (sent at, signatures, callers)."""
        self.queued = 0
        """Signatures sent and not answered."""
        self.buffer = bytearray()
        self.alive = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.SubprocessTransport, transport)
        self.stdin = cast(asyncio.WriteTransport, self.transport.get_pipe_transport(0))

    def send(self, now: float, signatures: list[Signature], callers: Callers) -> bool:
        """Write one frame; False when the child cannot take it."""
        if not self.alive or self.stdin is None or self.stdin.is_closing():
            return False
        self.stdin.write(encode_request(signatures))
        self.waiting.append((now, len(signatures), callers))
        self.queued += len(signatures)
        return True

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while len(buffer) >= FRAME_LENGTH.size:
            (length,) = FRAME_LENGTH.unpack_from(buffer)
            if length > MAX_FRAME_BYTES or not self.waiting:
                self.fail("answered out of turn")
                return
            if len(buffer) < FRAME_LENGTH.size + length:
                return
            verdicts = bytes(buffer[FRAME_LENGTH.size : FRAME_LENGTH.size + length])
            del buffer[: FRAME_LENGTH.size + length]
            _, count, callers = self.waiting.popleft()
            self.queued -= count
            if len(verdicts) != count:
                _answer(callers, None)
                self.fail("answered the wrong count")
                return
            _answer(callers, verdicts)
            self.owner.answered()

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd == 1:
            self.fail("closed its output")

    def process_exited(self) -> None:
        self.fail("exited")
        if self.transport is not None:
            self.transport.close()

    def fail(self, reason: str) -> None:
        """Answer every waiting frame as unverified and stop the child."""
        if not self.alive:
            return
        self.alive = False
        while self.waiting:
            _answer(self.waiting.popleft()[2], None)
        self.queued = 0
        self.owner.retire(self, reason)
        if reason != "closed" and self.transport is not None:
            self.transport.close()  # kills the process if it still runs, closes the pipes


class SignatureOffload:
    """Signature verification in ``processes`` child processes (started on first use)."""

    def __init__(
        self,
        processes: int = 1,
        *,
        timeout_s: float = VERIFY_TIMEOUT_S,
        restart_delay_s: float = RESTART_DELAY_S,
    ) -> None:
        """Configure; nothing starts until the first :meth:`verify`."""
        self.processes = processes
        self.timeout_s = timeout_s
        self.restart_delay_s = restart_delay_s
        self.frames_sent = 0
        """Request frames written so far (how many turns of the loop asked for verdicts)."""
        self.signatures_sent = 0
        """Signatures sent to children so far."""
        self.failures = 0
        """Children that exited, broke the format or stopped answering so far."""
        self._children: list[_Child] = []
        self._starting: asyncio.Task[None] | None = None
        self._watchdog: asyncio.TimerHandle | None = None
        self._pending: Callers = []
        self._pending_signatures: list[Signature] = []
        self._failed_at: float | None = None
        self._failures_in_row = 0
        self._closed = False

    async def verify(self, signatures: Sequence[Signature]) -> list[bool]:
        """Return, for each signature, whether a child verified it (False: verify it yourself)."""
        if not signatures:
            return []
        if not self._children or not all(map(well_formed, signatures)):
            self._start()
            return [False] * len(signatures)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)
        self._pending.append((len(signatures), future))
        self._pending_signatures.extend(signatures)
        verdicts = await future
        return [byte == 1 for byte in verdicts]

    def answered(self) -> None:
        """Note that a child answered a frame: it works, so later failures start afresh."""
        self._failures_in_row = 0

    def retire(self, child: _Child, reason: str) -> None:
        """Forget a child that stopped (called by the child); later calls may start another."""
        if child in self._children:
            self._children.remove(child)
        if reason != "closed" and not self._closed:
            self.failures += 1
            self._failures_in_row += 1
            self._failed_at = asyncio.get_running_loop().time()
            log.warning("signature process failed; the pool verifies meanwhile", reason=reason)

    async def close(self) -> None:
        """Stop every child (closing its input ends it); what waits is answered unverified."""
        self._closed = True
        if self._watchdog is not None:
            self._watchdog.cancel()
        if self._starting is not None:
            with contextlib.suppress(Exception):
                await self._starting
        for child in list(self._children):
            transport = child.transport
            if child.stdin is not None:
                child.stdin.close()
            child.fail("closed")
            if transport is not None:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(2.0):
                        while transport.get_returncode() is None:
                            await asyncio.sleep(0.01)
                transport.close()
        self._answer_pending()

    def _start(self) -> None:
        """Start the children in the background, unless starting, closed or failed moments ago.

        Callers do not wait for them: until they run, the pool verifies.
        """
        loop = asyncio.get_running_loop()
        delay = min(
            self.restart_delay_s * 2 ** max(self._failures_in_row - 1, 0), MAX_RESTART_DELAY_S
        )
        recently_failed = self._failed_at is not None and loop.time() - self._failed_at < delay
        if self._starting is None and not self._closed and not recently_failed:
            self._starting = asyncio.create_task(self._spawn())

    async def _spawn(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while len(self._children) < self.processes and not self._closed:
                _, child = await loop.subprocess_exec(
                    lambda: _Child(self),
                    sys.executable,
                    "-m",
                    "khala.node.signature_worker",
                    stdout=asyncio.subprocess.PIPE,
                    stderr=None,
                )
                self._children.append(child)
        except OSError as error:
            log.warning("cannot start a signature process", error=str(error))
            self._failures_in_row += 1
            self._failed_at = loop.time()
        finally:
            self._starting = None
        if self._watchdog is None and not self._closed:
            self._watchdog = loop.call_later(WATCHDOG_INTERVAL_S, self._check_ages)

    def _flush(self) -> None:
        """Send everything asked for in this turn of the loop as one frame."""
        callers, self._pending = self._pending, []
        signatures, self._pending_signatures = self._pending_signatures, []
        if not callers:
            return
        now = asyncio.get_running_loop().time()
        for child in sorted(self._children, key=lambda candidate: candidate.queued):
            if child.send(now, signatures, callers):
                self.frames_sent += 1
                self.signatures_sent += len(signatures)
                return
        _answer(callers, None)

    def _check_ages(self) -> None:
        """Kill children whose oldest frame waited past the timeout; check again later."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        for child in list(self._children):
            if child.waiting and now - child.waiting[0][0] > self.timeout_s:
                child.fail("stopped answering")
        self._watchdog = (
            None if self._closed else loop.call_later(WATCHDOG_INTERVAL_S, self._check_ages)
        )

    def _answer_pending(self) -> None:
        callers, self._pending = self._pending, []
        self._pending_signatures = []
        _answer(callers, None)
