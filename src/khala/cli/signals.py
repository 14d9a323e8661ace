"""Running a service from the command line until Ctrl-C or SIGTERM: one way for every command."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Coroutine
from typing import Any


def run_until_signal(service: Coroutine[Any, Any, None]) -> None:
    """Run ``service`` (a service's ``run()``) until it ends or SIGINT/SIGTERM cancels it.

    Cancellation lets the service close cleanly (checkpoints, sockets, locks); an error the
    service raises propagates to the caller, which reports it with its typed code. A service
    whose child task failed raises that child's error (not the task group's wrapper), so the
    command still ends with the typed error.
    """
    try:
        asyncio.run(_serve(service))
    except BaseExceptionGroup as group:
        raise _first_leaf(group) from None


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first


async def _serve(service: Coroutine[Any, Any, None]) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(service)
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task
