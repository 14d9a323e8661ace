"""The relayer's registration task retries a failure soon (with backoff), not an hour later."""

from __future__ import annotations

import asyncio

import pytest

from khala.primitives.crypto import keypair_from_uri
from khala.relayer.registration import (
    DEFAULT_REFRESH_S,
    RelayerConfig,
    RelayerError,
    RelayerErrorCode,
    relay_forever,
)


class _StopError(Exception):
    pass


def test_a_worker_not_up_yet_is_retried_with_backoff_then_refreshed_hourly() -> None:
    """Found by running docs/mining.md: a worker starting after its relayer waited an hour."""
    config = RelayerConfig("http://node", "http://worker", keypair_from_uri("//Dave"))
    outcomes = [False, False, False, True, False]
    attempts: list[int] = []
    slept: list[float] = []

    async def relay(_: RelayerConfig) -> object:
        attempts.append(len(attempts))
        if not outcomes[len(attempts) - 1]:
            raise RelayerError(RelayerErrorCode.WORKER_UNREACHABLE, "not up yet")
        return None

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == len(outcomes):
            raise _StopError

    with pytest.raises(_StopError):
        asyncio.run(relay_forever(config, relay=relay, sleep=sleep))
    assert slept == [0.5, 1.0, 2.0, DEFAULT_REFRESH_S, 0.5]
