"""Supervising the devnet's processes: start, watch, restart with backoff, stop cleanly.

Each process runs ``python -m khala …`` (or another program, such as etcd) in its own session
(so a Ctrl-C in the terminal reaches the supervisor only), with stdout and stderr appended to
``logs/<name>.log``. A process
that exits while the devnet runs is restarted after a backoff (0.5 s doubling to 30 s; the
backoff resets once it has run a minute) and shown as restarting. Stopping sends SIGTERM in
reverse start order (the console and relayer first, the node last), waits, then SIGKILLs
whatever is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import structlog

from khala.sdk.backoff import Backoff

log = structlog.get_logger("khala.devnet")

STABLE_AFTER_S = 60.0
"""A process that ran this long before exiting is restarted after the initial delay again."""
STOP_GRACE_S = 15.0
"""How long a process has to exit after SIGTERM before it is killed."""


class ProcessState(StrEnum):
    """What the supervisor knows of a process."""

    STARTING = "starting"
    """Launched, not yet seen to exit."""
    RUNNING = "running"
    """Alive (and, for services with a health check, answering)."""
    RESTARTING = "restarting"
    """Exited unexpectedly; waiting the backoff before starting again."""
    STOPPED = "stopped"
    """Stopped by the supervisor."""


@dataclass(frozen=True, slots=True)
class ProcessSpec:
    """How to run one process."""

    name: str
    """Its name in the view and in ``logs/<name>.log``."""
    args: tuple[str, ...]
    """``khala`` arguments (run as ``python -m khala ARGS``), or the program's own."""
    program: str | None = None
    """Another executable to run with ``args`` (etcd); None runs khala."""


@dataclass
class Supervised:
    """A process and its history."""

    spec: ProcessSpec
    """How it runs."""
    state: ProcessState = ProcessState.STARTING
    """Where it is now."""
    pid: int | None = None
    """Its process id while alive."""
    restarts: int = 0
    """Unexpected exits so far."""
    last_exit: int | None = None
    """The last exit status (negative: killed by that signal)."""
    retry_at: float | None = None
    """When a restarting process starts again (monotonic seconds)."""
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)


class Supervisor:
    """Runs a set of processes until :meth:`stop`."""

    def __init__(self, specs: list[ProcessSpec], logs: Path) -> None:
        """Supervise ``specs`` (started in order), logging under ``logs``."""
        self.processes = {spec.name: Supervised(spec) for spec in specs}
        self.logs = logs
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start every process and its watcher."""
        self.logs.mkdir(parents=True, exist_ok=True)
        for supervised in self.processes.values():
            self._tasks.append(asyncio.create_task(self._watch(supervised)))

    async def _spawn(self, supervised: Supervised) -> asyncio.subprocess.Process:
        log_file = (self.logs / f"{supervised.spec.name}.log").open("ab")
        try:
            spec = supervised.spec
            command = (spec.program,) if spec.program else (sys.executable, "-m", "khala")
            process = await asyncio.create_subprocess_exec(
                *command,
                *spec.args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        finally:
            log_file.close()
        supervised.process, supervised.pid = process, process.pid
        supervised.state = ProcessState.RUNNING
        supervised.retry_at = None
        return process

    async def _watch(self, supervised: Supervised) -> None:
        backoff = Backoff()
        while not self._stopping:
            started = time.monotonic()
            process = await self._spawn(supervised)
            code = await process.wait()
            supervised.pid, supervised.last_exit = None, code
            if self._stopping:
                break
            if time.monotonic() - started >= STABLE_AFTER_S:
                backoff.reset()
            delay = backoff.next_delay()
            supervised.restarts += 1
            supervised.state = ProcessState.RESTARTING
            supervised.retry_at = time.monotonic() + delay
            log.warning(
                "process exited; restarting",
                process=supervised.spec.name,
                code=code,
                in_s=delay,
                log=str(self.logs / f"{supervised.spec.name}.log"),
            )
            await asyncio.sleep(delay)
        supervised.state = ProcessState.STOPPED

    async def stop(self) -> None:
        """Stop every process: SIGTERM in reverse order, SIGKILL after the grace period."""
        self._stopping = True
        for supervised in reversed(list(self.processes.values())):
            process = supervised.process
            if process is not None and process.returncode is None:
                _signal(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for supervised in self.processes.values():
            process = supervised.process
            if process is None or process.returncode is not None:
                continue
            try:
                await asyncio.wait_for(process.wait(), max(deadline - time.monotonic(), 0.1))
            except TimeoutError:
                _signal(process, signal.SIGKILL)
                await process.wait()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for supervised in self.processes.values():
            supervised.state, supervised.pid = ProcessState.STOPPED, None


def _signal(process: asyncio.subprocess.Process, number: signal.Signals) -> None:
    """Signal a child's whole session (it may have children of its own)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, number)
