"""Every long-running command stops the same way: a signal cancels, errors propagate."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from khala.cli.signals import run_until_signal


def test_sigterm_cancels_the_service_and_lets_it_clean_up() -> None:
    """SIGTERM cancels the running service; its finally-blocks run; the call returns."""
    cleaned: list[str] = []

    async def service() -> None:
        asyncio.get_running_loop().call_later(0.05, os.kill, os.getpid(), signal.SIGTERM)
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append("checkpoint saved")

    run_until_signal(service())
    assert cleaned == ["checkpoint saved"]


def test_a_failing_service_raises_its_error() -> None:
    """An error inside the service reaches the caller instead of being logged and skipped."""

    async def service() -> None:
        raise LookupError("the node is not reachable")

    with pytest.raises(LookupError):
        run_until_signal(service())


def test_a_failing_child_task_surfaces_as_its_own_error() -> None:
    """A service's TaskGroup wraps a child's error; the command still sees the typed error."""

    async def service() -> None:
        async def child() -> None:
            raise KeyError("worker keys")

        async with asyncio.TaskGroup() as group:
            group.create_task(child())
            group.create_task(asyncio.sleep(10))

    with pytest.raises(KeyError):
        run_until_signal(service())
