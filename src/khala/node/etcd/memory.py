"""An in-memory etcd: revisions, leases, transactions and watches, for tests.

It keeps etcd's semantics the engine relies on: one revision counter for the whole store,
``create_revision`` reset when a key is deleted and written again, a transaction's
comparisons and writes as one step, watches that deliver every change from a revision in
order, and leases whose keys go when they lapse. Time comes from an injected monotonic clock,
so tests expire leases by moving it.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace

from khala.node.etcd.client import (
    Compare,
    DeleteRange,
    EtcdError,
    EtcdErrorCode,
    KeyValue,
    Put,
    TxnResult,
    WatchEvent,
)


@dataclass(slots=True)
class _Lease:
    ttl_s: int
    expires_at: float
    keys: set[bytes] = field(default_factory=set)


@dataclass(slots=True)
class _Watcher:
    start: bytes
    end: bytes
    queue: asyncio.Queue[list[WatchEvent]]


class MemoryEtcd:
    """A single-member etcd held in memory (implements :class:`~.client.Etcd`)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        """Create an empty store at revision 1 (etcd's first revision)."""
        self.monotonic = monotonic
        self.revision = 1
        self.compacted = 0
        self._keys: list[bytes] = []
        self._entries: dict[bytes, KeyValue] = {}
        self._history: list[tuple[int, WatchEvent]] = []
        self._leases: dict[int, _Lease] = {}
        self._next_lease = 7_000
        self._watchers: list[_Watcher] = []
        self.available = True
        """Set to False to make every request fail as an unreachable cluster would."""

    def _check(self) -> None:
        if not self.available:
            raise EtcdError(EtcdErrorCode.UNAVAILABLE, "the in-memory etcd is marked down")
        self.expire_leases()

    def expire_leases(self) -> None:
        """Delete the keys of every lease whose time ran out."""
        now = self.monotonic()
        for lease_id, lease in list(self._leases.items()):
            if lease.expires_at <= now:
                del self._leases[lease_id]
                self._apply([DeleteRange(key) for key in sorted(lease.keys)])

    async def get(self, key: bytes) -> KeyValue | None:
        """Return one key."""
        self._check()
        return self._entries.get(key)

    async def range(
        self, start: bytes, end: bytes, *, limit: int = 0
    ) -> tuple[list[KeyValue], int]:
        """Return the keys in ``[start, end)``."""
        self._check()
        found = [self._entries[key] for key in self._span(start, end)]
        return (found[:limit] if limit else found), self.revision

    async def txn(
        self,
        compares: list[Compare],
        success: list[Put | DeleteRange],
        failure: list[Put | DeleteRange] | None = None,
    ) -> TxnResult:
        """Compare, then apply one branch."""
        self._check()
        held = all(self._holds(compare) for compare in compares)
        self._apply(success if held else (failure or []))
        return TxnResult(held, self.revision)

    async def put(self, key: bytes, value: bytes, *, lease: int = 0) -> int:
        """Write one key."""
        self._check()
        self._apply([Put(key, value, lease)])
        return self.revision

    async def delete_range(self, start: bytes, end: bytes = b"") -> int:
        """Delete keys."""
        self._check()
        count = len(self._span(start, end))
        self._apply([DeleteRange(start, end)])
        return count

    async def grant_lease(self, ttl_s: int) -> int:
        """Create a lease."""
        self._check()
        self._next_lease += 1
        self._leases[self._next_lease] = _Lease(ttl_s, self.monotonic() + ttl_s)
        return self._next_lease

    async def keep_alive(self, lease: int) -> int:
        """Renew a lease."""
        self._check()
        found = self._leases.get(lease)
        if found is None:
            raise EtcdError(EtcdErrorCode.LEASE_EXPIRED, f"lease {lease} is gone")
        found.expires_at = self.monotonic() + found.ttl_s
        return found.ttl_s

    async def revoke(self, lease: int) -> None:
        """End a lease now."""
        self._check()
        found = self._leases.get(lease)
        if found is not None:
            found.expires_at = float("-inf")
            self.expire_leases()

    async def watch(
        self, start: bytes, end: bytes, *, start_revision: int
    ) -> AsyncIterator[list[WatchEvent]]:
        """Yield the history from ``start_revision``, then changes as they happen."""
        self._check()
        if start_revision and start_revision <= self.compacted:
            raise EtcdError(
                EtcdErrorCode.COMPACTED,
                f"revision {start_revision} is compacted (history starts after {self.compacted})",
            )
        watcher = _Watcher(start, end, asyncio.Queue())
        past = [
            event
            for revision, event in self._history
            if revision >= start_revision and _within(event.entry.key, start, end)
        ]
        if past:
            watcher.queue.put_nowait(past)
        self._watchers.append(watcher)
        try:
            while True:
                yield await watcher.queue.get()
        finally:
            self._watchers.remove(watcher)

    async def compact(self, revision: int) -> None:
        """Forget the history before ``revision``."""
        self._check()
        self.compacted = max(self.compacted, revision - 1)
        self._history = [item for item in self._history if item[0] >= revision]

    async def defragment(self) -> None:
        """Nothing to give back in memory."""
        self._check()

    async def close(self) -> None:
        """Nothing to release."""

    def _span(self, start: bytes, end: bytes) -> list[bytes]:
        if not end:
            return [start] if start in self._entries else []
        low = bisect.bisect_left(self._keys, start)
        high = bisect.bisect_left(self._keys, end)
        return self._keys[low:high]

    def _holds(self, compare: Compare) -> bool:
        entry = self._entries.get(compare.key)
        if compare.target == "create":
            return (0 if entry is None else entry.create_revision) == compare.expected
        if compare.target == "mod":
            return (0 if entry is None else entry.mod_revision) == compare.expected
        return entry is not None and entry.value == compare.expected

    def _apply(self, operations: list[Put | DeleteRange]) -> None:
        if not operations:
            return
        self.revision += 1
        events: list[WatchEvent] = []
        for operation in operations:
            if isinstance(operation, Put):
                events.append(self._put(operation))
            else:
                for key in self._span(operation.start, operation.end):
                    event = self._delete(key)
                    if event is not None:
                        events.append(event)
        self._publish(events)

    def _put(self, operation: Put) -> WatchEvent:
        if operation.lease and operation.lease not in self._leases:
            raise EtcdError(EtcdErrorCode.LEASE_EXPIRED, f"lease {operation.lease} is gone")
        previous = self._entries.get(operation.key)
        if previous is None:
            bisect.insort(self._keys, operation.key)
        elif previous.lease and previous.lease in self._leases:
            self._leases[previous.lease].keys.discard(operation.key)
        created = self.revision if previous is None else previous.create_revision
        entry = KeyValue(operation.key, operation.value, created, self.revision, operation.lease)
        self._entries[operation.key] = entry
        if operation.lease:
            self._leases[operation.lease].keys.add(operation.key)
        return WatchEvent("put", entry)

    def _delete(self, key: bytes) -> WatchEvent | None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return None
        self._keys.remove(key)
        if entry.lease in self._leases:
            self._leases[entry.lease].keys.discard(key)
        return WatchEvent("delete", replace(entry, value=b"", mod_revision=self.revision))

    def _publish(self, events: list[WatchEvent]) -> None:
        if not events:
            return
        revision = self.revision
        self._history.extend((revision, event) for event in events)
        for watcher in self._watchers:
            batch = [
                event for event in events if _within(event.entry.key, watcher.start, watcher.end)
            ]
            if batch:
                watcher.queue.put_nowait(batch)


def _within(key: bytes, start: bytes, end: bytes) -> bool:
    return key == start if not end else start <= key < end
