"""The relay offers refused-for-now transactions again, and the gateway reads long messages."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from khala.node.etcd.gateway import _lines
from khala.node.etcd.relay import Relay


def test_what_a_full_pool_refused_is_offered_again_in_order() -> None:
    """A member whose pool was full gets the refused transactions again, earliest first."""
    received: list[bytes] = []
    calls = 0

    async def send(url: str, transactions: list[bytes]) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:  # the pool takes the first one only
            received.append(transactions[0])
            return list(range(1, len(transactions)))
        received.extend(transactions)
        return []

    async def scenario() -> None:
        relay = Relay(send)
        relay.set_members(["http://member"])
        task = asyncio.create_task(relay.run())
        for index in range(4):
            relay.accept(bytes([index]))
        await asyncio.wait_for(relay.settle(), 2)
        for _ in range(100):
            if len(received) == 4:
                break
            await asyncio.sleep(0.05)
        task.cancel()

    asyncio.run(scenario())
    assert received == [b"\x00", b"\x01", b"\x02", b"\x03"]


def test_nothing_settles_before_the_members_are_known() -> None:
    """Accepted before the first membership read, a transaction still reaches every member."""
    received: list[tuple[str, bytes]] = []

    async def send(url: str, transactions: list[bytes]) -> list[int]:
        received.extend((url, raw) for raw in transactions)
        return []

    async def scenario() -> None:
        relay = Relay(send)
        task = asyncio.create_task(relay.run())
        relay.accept(b"early")
        settling = asyncio.create_task(relay.settle())
        await asyncio.sleep(0.05)
        assert not settling.done()
        relay.set_members(["http://a", "http://b"])
        await asyncio.wait_for(settling, 2)
        task.cancel()

    asyncio.run(scenario())
    assert sorted(received) == [("http://a", b"early"), ("http://b", b"early")]


class _Stream:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    async def iter_any(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


def test_watch_messages_longer_than_aiohttps_line_limit_are_read_whole() -> None:
    """A watch message carrying a multi-megabyte block arrives in one piece."""
    big: dict[str, Any] = {"result": {"events": [{"kv": {"value": "A" * 3_000_000}}]}}
    text = (json.dumps(big) + "\n" + json.dumps({"result": {}}) + "\n").encode()
    chunks = [text[start : start + 65_536] for start in range(0, len(text), 65_536)]

    async def collect() -> list[bytes]:
        return [line async for line in _lines(_Stream(chunks))]  # type: ignore[arg-type]

    lines = asyncio.run(collect())
    assert [json.loads(line) for line in lines] == [big, {"result": {}}]
