"""The etcd operations the clustered engine needs, as an interface.

Only what ordering blocks takes: ranges by prefix, compare-and-swap transactions (the leader's
fenced append), leases (leadership that lapses when its holder stops), watches from a
revision (every node sees every block in order), and housekeeping (delete, compact,
defragment). Keys and values are bytes; revisions are etcd's cluster-wide counters.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol

from khala.errors import KhalaError


class EtcdErrorCode(StrEnum):
    """Codes of :class:`EtcdError`."""

    UNAVAILABLE = "etcd.unavailable"
    """No endpoint answered; check ``--etcd-endpoints`` and that the etcd members run."""
    REQUEST_FAILED = "etcd.request_failed"
    """etcd refused the request (the message carries etcd's own error)."""
    LEASE_EXPIRED = "etcd.lease_expired"
    """The lease is gone (it lapsed or was revoked); leadership held with it is lost."""
    COMPACTED = "etcd.compacted"
    """A watch asked for a revision etcd has already compacted away; resync by a range read."""


class EtcdError(KhalaError):
    """An etcd request did not succeed."""


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One stored key with its revisions."""

    key: bytes
    """The key."""
    value: bytes
    """Its value."""
    create_revision: int
    """The revision that created the key (since its last deletion): fencing tokens use it."""
    mod_revision: int
    """The revision of its latest change."""
    lease: int = 0
    """The lease the key is attached to (0: none); the key goes when the lease lapses."""


@dataclass(frozen=True, slots=True)
class Compare:
    """One condition of a transaction."""

    key: bytes
    """The key compared."""
    target: Literal["create", "mod", "value"]
    """What of the key is compared: its create revision, its mod revision or its value."""
    expected: int | bytes
    """Equality is the only comparison used (0 create revision: the key does not exist)."""


@dataclass(frozen=True, slots=True)
class Put:
    """A write inside a transaction."""

    key: bytes
    """The key written."""
    value: bytes
    """The value."""
    lease: int = 0
    """Attach the key to this lease (0: none)."""


@dataclass(frozen=True, slots=True)
class DeleteRange:
    """A deletion inside a transaction: ``[start, end)`` (``end`` empty: just ``start``)."""

    start: bytes
    """First key deleted."""
    end: bytes = b""
    """First key kept after the range."""


@dataclass(frozen=True, slots=True)
class TxnResult:
    """What a transaction did."""

    succeeded: bool
    """Whether every comparison held (and the success branch ran)."""
    revision: int
    """The store's revision after the transaction."""


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """A change seen by a watch."""

    kind: Literal["put", "delete"]
    """A write or a deletion."""
    entry: KeyValue
    """The key after the change (for a deletion: the key with an empty value)."""


def prefix_end(prefix: bytes) -> bytes:
    """The first key after every key starting with ``prefix`` (etcd's range end for a prefix)."""
    data = bytearray(prefix)
    while data:
        if data[-1] < 0xFF:
            data[-1] += 1
            return bytes(data)
        data.pop()
    return b"\x00"


class Etcd(Protocol):
    """An etcd v3 key-value store (a cluster reached through one or more endpoints)."""

    async def get(self, key: bytes) -> KeyValue | None:
        """Return one key, or None."""
        ...

    async def range(
        self, start: bytes, end: bytes, *, limit: int = 0
    ) -> tuple[list[KeyValue], int]:
        """Return the keys in ``[start, end)`` in key order and the revision of the read.

        At most ``limit`` keys (0: all).
        """
        ...

    async def txn(
        self,
        compares: list[Compare],
        success: list[Put | DeleteRange],
        failure: list[Put | DeleteRange] | None = None,
    ) -> TxnResult:
        """Apply ``success`` if every comparison holds, else ``failure``, atomically."""
        ...

    async def put(self, key: bytes, value: bytes, *, lease: int = 0) -> int:
        """Write one key; returns the new revision."""
        ...

    async def delete_range(self, start: bytes, end: bytes = b"") -> int:
        """Delete ``[start, end)`` (or ``start`` alone); returns how many keys went."""
        ...

    async def grant_lease(self, ttl_s: int) -> int:
        """Create a lease living ``ttl_s`` seconds unless kept alive; returns its id."""
        ...

    async def keep_alive(self, lease: int) -> int:
        """Renew a lease; returns its remaining TTL in seconds.

        Raises:
            EtcdError: ``etcd.lease_expired`` when the lease is gone.
        """
        ...

    async def revoke(self, lease: int) -> None:
        """End a lease now (its keys are deleted)."""
        ...

    def watch(
        self, start: bytes, end: bytes, *, start_revision: int
    ) -> AsyncIterator[list[WatchEvent]]:
        """Yield batches of changes to ``[start, end)`` from ``start_revision`` on, in order.

        Raises:
            EtcdError: ``etcd.compacted`` when ``start_revision`` was compacted away.
        """
        ...

    async def compact(self, revision: int) -> None:
        """Drop the history before ``revision`` (current values stay)."""
        ...

    async def defragment(self) -> None:
        """Give the space compaction freed back to the file system (every endpoint)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


async def wait_until_reachable(
    etcd: Etcd, probe: bytes, timeout_s: float, retry_s: float = 1.0
) -> None:
    """Read ``probe`` until an etcd member answers, so wrong endpoints fail at start.

    A node that once reached etcd rides out later outages (it retries); at start, no answer
    within ``timeout_s`` more likely means a wrong ``--etcd-endpoints`` or members not
    started, and is reported as such.

    Raises:
        EtcdError: ``etcd.unavailable`` after ``timeout_s``, with each endpoint's failure.
    """
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await etcd.get(probe)
            return
        except EtcdError as error:
            if error.code is not EtcdErrorCode.UNAVAILABLE:
                return  # etcd answered (with a refusal the engine will meet and report)
            if asyncio.get_running_loop().time() >= deadline:
                raise EtcdError(
                    EtcdErrorCode.UNAVAILABLE,
                    f"no etcd member answered within {timeout_s:g} s ({error.message}); check "
                    "--etcd-endpoints and that the members run (`khala cluster up` starts "
                    "local ones)",
                ) from None
        await asyncio.sleep(retry_s)
