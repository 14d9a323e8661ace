"""The in-memory etcd keeps the semantics the clustered engine relies on."""

from __future__ import annotations

import asyncio

import pytest

from khala.node.etcd.client import Compare, DeleteRange, EtcdError, EtcdErrorCode, Put, prefix_end
from khala.node.etcd.memory import MemoryEtcd


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_fenced_append_succeeds_once_and_create_revision_names_the_term() -> None:
    """Only the first writer of a key wins; the winner's create revision is stable until delete."""

    async def scenario() -> None:
        etcd = MemoryEtcd()
        first = await etcd.txn([Compare(b"/b/1", "create", 0)], [Put(b"/b/1", b"a")])
        second = await etcd.txn([Compare(b"/b/1", "create", 0)], [Put(b"/b/1", b"b")])
        assert first.succeeded and not second.succeeded
        entry = await etcd.get(b"/b/1")
        assert entry is not None and entry.value == b"a"
        assert entry.create_revision == first.revision
        await etcd.put(b"/b/1", b"c")
        again = await etcd.get(b"/b/1")
        assert again is not None and again.create_revision == first.revision
        assert again.mod_revision > first.revision
        await etcd.delete_range(b"/b/1")
        await etcd.put(b"/b/1", b"d")
        reborn = await etcd.get(b"/b/1")
        assert reborn is not None and reborn.create_revision > again.mod_revision

    asyncio.run(scenario())


def test_a_lapsed_lease_deletes_its_keys_and_refuses_renewal() -> None:
    """Keys attached to a lease go when it is not kept alive; renewal then fails typed."""

    async def scenario() -> None:
        time = FakeTime()
        etcd = MemoryEtcd(time)
        lease = await etcd.grant_lease(2)
        await etcd.put(b"/leader", b"me", lease=lease)
        time.now += 1.5
        assert await etcd.keep_alive(lease) == 2
        time.now += 1.5
        assert await etcd.get(b"/leader") is not None
        time.now += 1.0
        assert await etcd.get(b"/leader") is None
        with pytest.raises(EtcdError) as raised:
            await etcd.keep_alive(lease)
        assert raised.value.code == EtcdErrorCode.LEASE_EXPIRED

    asyncio.run(scenario())


def test_watches_replay_history_then_follow_and_refuse_compacted_revisions() -> None:
    """A watch from a revision sees every later change in order; compacted history is refused."""

    async def scenario() -> None:
        etcd = MemoryEtcd()
        start = await etcd.put(b"/x/1", b"1")
        await etcd.put(b"/y/1", b"other prefix")
        await etcd.put(b"/x/2", b"2")
        seen: list[bytes] = []

        async def follow() -> None:
            async for events in etcd.watch(b"/x/", prefix_end(b"/x/"), start_revision=start):
                seen.extend(event.entry.value for event in events)
                if len(seen) == 4:
                    return

        task = asyncio.create_task(follow())
        await asyncio.sleep(0)
        await etcd.txn([], [Put(b"/x/3", b"3"), DeleteRange(b"/x/1")])
        await asyncio.wait_for(task, 1)
        assert seen == [b"1", b"2", b"3", b""]
        await etcd.compact(etcd.revision)
        with pytest.raises(EtcdError) as raised:
            async for _ in etcd.watch(b"/x/", prefix_end(b"/x/"), start_revision=start):
                pass
        assert raised.value.code == EtcdErrorCode.COMPACTED

    asyncio.run(scenario())


def test_prefix_end_is_the_first_key_after_the_prefix() -> None:
    """Range ends for prefixes follow etcd's rule."""
    assert prefix_end(b"/a/") == b"/a0"
    assert prefix_end(b"a\xff") == b"b"
    assert prefix_end(b"\xff\xff") == b"\x00"
