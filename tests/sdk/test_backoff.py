"""Waiting for a node that is not there yet: exponential backoff, then on."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from khala.sdk import AsyncClient, SdkError, SdkErrorCode
from khala.sdk.backoff import Backoff


def test_delays_double_up_to_the_cap_and_reset() -> None:
    """0.5, 1, 2, … 30 s; a success starts over."""
    backoff = Backoff()
    assert [backoff.next_delay() for _ in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    backoff.reset()
    assert backoff.next_delay() == 0.5


class _StartingNode:
    """A transport whose node refuses connections a few times, then answers."""

    def __init__(self, refusals: int, failure: SdkErrorCode) -> None:
        self.refusals = refusals
        self.failure = failure

    async def request(self, method: str, params: list[Any]) -> Any:
        if self.refusals:
            self.refusals -= 1
            raise SdkError(self.failure, "connection refused")
        assert method == "chain_getBlockHash"
        return "0x" + "ab" * 32

    async def close(self) -> None:
        return None


def test_a_client_waits_until_the_node_answers() -> None:
    """Refused connections are retried, each delay reported; then the genesis hash returns."""
    delays: list[float] = []

    async def scenario() -> bytes:
        async with AsyncClient(
            transport=_StartingNode(2, SdkErrorCode.CONNECTION_FAILED)
        ) as client:
            return await client.wait_until_reachable(lambda delay, _: delays.append(delay))

    assert asyncio.run(scenario()) == b"\xab" * 32
    assert delays == [0.5, 1.0]


def test_other_failures_are_not_retried() -> None:
    """A node answering garbage is an error at once, not a reason to wait forever."""

    async def scenario() -> bytes:
        async with AsyncClient(transport=_StartingNode(1, SdkErrorCode.BAD_RESPONSE)) as client:
            return await client.wait_until_reachable()

    with pytest.raises(SdkError) as caught:
        asyncio.run(scenario())
    assert caught.value.code is SdkErrorCode.BAD_RESPONSE
