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
    service raises propagates to the caller, which reports it with its typed code.
    """
    asyncio.run(_serve(service))


async def _serve(service: Coroutine[Any, Any, None]) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(service)
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task
