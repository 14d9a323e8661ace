"""The transaction pool: validated transactions waiting for a block.

Per sender, transactions whose nonce continues the account's nonce are *ready*; the others
wait as *future* until the gap fills. Block building takes ready transactions by tip (highest
first), each sender's in nonce order. A transaction replacing one with the same sender and
nonce must pay a higher tip. Errors carry Substrate's RPC codes.

The pool cannot be jammed: it is bounded by count and bytes (Substrate's defaults: 8192
transactions, 20 MiB); future transactions get a tenth of that, at most 16 per sender, and
leave after 64 blocks; every transaction leaves when its era ends. When the pool is full, a
ready transaction evicts future ones first, then the lowest-tip ready transaction at the end of
a sender's chain, if its own tip is higher. Evicted and expired hashes are collected for the
node to report (:meth:`TransactionPool.take_dropped`).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from khala.errors import KhalaError
from khala.primitives.hashing import blake2_256

DEFAULT_LIMIT = 8192
"""Most transactions held at once (ready and future together; Substrate's default)."""
DEFAULT_BYTES = 20 * 1024 * 1024
"""Most encoded bytes held at once (Substrate's 20 MiB default)."""
FUTURE_SHARE = 10
"""Future transactions may use a tenth of the count and byte limits (as Substrate's pool)."""
FUTURE_PER_SENDER = 16
"""Most future transactions one sender may hold: pipelining needs ready ones, not gaps."""
FUTURE_LIFETIME_BLOCKS = 64
"""Blocks a future transaction may wait for its gap to fill before it is dropped."""
MAX_FUTURE_GAP = 64
"""Most nonces a future transaction may run ahead of the sender's next expected nonce (its
account nonce plus its contiguous pooled transactions); pipelined senders are never limited."""


class PoolErrorCode(StrEnum):
    """Why the pool refused a transaction."""

    ALREADY_IMPORTED = "pool.already_imported"
    """The same transaction is already in the pool (RPC 1013)."""
    PRIORITY_TOO_LOW = "pool.priority_too_low"
    """A transaction with this sender and nonce is pooled with an equal or higher tip (1014)."""
    POOL_FULL = "pool.full"
    """The pool is full and the transaction was dropped (1016)."""
    TOO_FAR_IN_FUTURE = "pool.too_far_in_future"
    """The nonce is more than 64 ahead of the account's (1012)."""
    FUTURE_LIMIT = "pool.future_limit"
    """The sender already has 16 future transactions, or the future part of the pool is full of
    transactions tipping at least as much (1016); fill the nonce gap first."""


class RpcCode(IntEnum):
    """Substrate's author RPC error codes for pool errors."""

    INVALID_TRANSACTION = 1010
    """The runtime found the transaction invalid."""
    TEMPORARILY_BANNED = 1012
    """Not accepted now (here: nonce too far in the future)."""
    ALREADY_IMPORTED = 1013
    """Duplicate."""
    PRIORITY_TOO_LOW = 1014
    """Replacement without a higher tip."""
    IMMEDIATELY_DROPPED = 1016
    """Pool full."""


RPC_CODES = {
    PoolErrorCode.ALREADY_IMPORTED: RpcCode.ALREADY_IMPORTED,
    PoolErrorCode.PRIORITY_TOO_LOW: RpcCode.PRIORITY_TOO_LOW,
    PoolErrorCode.POOL_FULL: RpcCode.IMMEDIATELY_DROPPED,
    PoolErrorCode.TOO_FAR_IN_FUTURE: RpcCode.TEMPORARILY_BANNED,
    PoolErrorCode.FUTURE_LIMIT: RpcCode.IMMEDIATELY_DROPPED,
}
"""The RPC code of each pool error."""


class PoolError(KhalaError):
    """The pool refused a valid transaction."""


@dataclass(order=True, slots=True)
class PooledTransaction:
    """A transaction in the pool."""

    sort_key: tuple[int, int] = field(compare=True)
    """(-tip, arrival), so heaps pop the best first."""
    raw: bytes = field(compare=False)
    """The encoded extrinsic."""
    tx_hash: bytes = field(compare=False)
    """blake2-256 of ``raw``, the id clients see."""
    sender: bytes = field(compare=False)
    """The signer."""
    nonce: int = field(compare=False)
    """Its nonce."""
    tip: int = field(compare=False)
    """Its tip."""
    arrived_at: int = field(default=0, compare=False)
    """The block number it was validated for."""
    expires_at: int | None = field(default=None, compare=False)
    """The first block it is no longer valid in (its era's end); None: never."""


@dataclass(frozen=True, slots=True)
class PoolLimits:
    """How much the pool holds."""

    count: int = DEFAULT_LIMIT
    """Most transactions."""
    size: int = DEFAULT_BYTES
    """Most encoded bytes."""
    future_count: int = DEFAULT_LIMIT // FUTURE_SHARE
    """Most future transactions."""
    future_size: int = DEFAULT_BYTES // FUTURE_SHARE
    """Most encoded bytes of future transactions."""
    future_per_sender: int = FUTURE_PER_SENDER
    """Most future transactions of one sender."""
    future_lifetime: int = FUTURE_LIFETIME_BLOCKS
    """Blocks a future transaction may wait."""

    @classmethod
    def for_count(cls, count: int) -> PoolLimits:
        """Limits for a pool of ``count`` transactions, the rest scaled from the defaults."""
        return cls(count=count, future_count=max(count // FUTURE_SHARE, 1))


class TransactionPool:
    """Ready and future transactions, keyed by sender and nonce, within :class:`PoolLimits`."""

    def __init__(self, limit: int = DEFAULT_LIMIT, limits: PoolLimits | None = None) -> None:
        """Create an empty pool holding at most ``limit`` transactions (or ``limits``)."""
        self.limits = limits or PoolLimits.for_count(limit)
        self.limit = self.limits.count
        self._by_sender: dict[bytes, dict[int, PooledTransaction]] = {}
        self._by_hash: dict[bytes, PooledTransaction] = {}
        self._account_nonce: dict[bytes, int] = {}
        self._future: dict[bytes, list[PooledTransaction]] = {}
        self._ready_end: dict[bytes, int] = {}
        self._size = 0
        self._future_count = 0
        self._future_size = 0
        self._arrivals = 0
        self._dropped: list[bytes] = []

    def __len__(self) -> int:
        """Return the number of pooled transactions."""
        return len(self._by_hash)

    def __contains__(self, tx_hash: bytes) -> bool:
        """Whether a transaction with this hash is pooled."""
        return tx_hash in self._by_hash

    def statistics(self) -> dict[str, int]:
        """Counts and sizes, ready and future."""
        return {
            "transactions": len(self._by_hash),
            "bytes": self._size,
            "future": self._future_count,
            "future_bytes": self._future_size,
        }

    def submit(
        self,
        raw: bytes,
        sender: bytes,
        nonce: int,
        tip: int,
        account_nonce: int,
        *,
        block: int = 0,
        expires_at: int | None = None,
    ) -> bytes:
        """Add a validated transaction; returns its hash. It may evict worse ones.

        Args:
            raw: The encoded extrinsic.
            sender: Its signer.
            nonce: Its nonce.
            tip: Its tip (its priority).
            account_nonce: The sender's nonce on chain.
            block: The block number it was validated for.
            expires_at: The first block it is invalid in (its era's end), None if never.

        Raises:
            PoolError: Duplicate, low-priority replacement, nonce too far ahead, too many
                future transactions, or a full pool holding nothing worse.
        """
        tx_hash = blake2_256(raw)
        if tx_hash in self._by_hash:
            raise PoolError(PoolErrorCode.ALREADY_IMPORTED, "the transaction is already pooled")
        self._note_account_nonce(sender, account_nonce)
        expected = self.pending_nonce(sender, account_nonce)
        if nonce > expected + MAX_FUTURE_GAP:
            raise PoolError(
                PoolErrorCode.TOO_FAR_IN_FUTURE,
                f"nonce {nonce} is more than {MAX_FUTURE_GAP} ahead of the expected {expected}",
            )
        existing = self._by_sender.get(sender, {}).get(nonce)
        if existing is not None and existing.tip >= tip:
            raise PoolError(
                PoolErrorCode.PRIORITY_TOO_LOW,
                "a transaction with this nonce is pooled; replace it only with a higher tip",
            )
        is_future = nonce > expected
        if is_future:
            self._make_future_room(sender, len(raw), tip)
        freed = len(raw) - (len(existing.raw) if existing is not None else 0)
        self._make_room(0 if existing is not None else 1, freed, tip, sender, is_future=is_future)
        if existing is not None:
            self._remove_entry(existing)
        self._arrivals += 1
        entry = PooledTransaction(
            (-tip, self._arrivals), raw, tx_hash, sender, nonce, tip, block, expires_at
        )
        self._by_sender.setdefault(sender, {})[nonce] = entry
        self._by_hash[tx_hash] = entry
        self._size += len(raw)
        self._reclassify(sender)
        return tx_hash

    def _make_future_room(self, sender: bytes, size: int, tip: int) -> None:
        if len(self._future.get(sender, [])) >= self.limits.future_per_sender:
            raise PoolError(
                PoolErrorCode.FUTURE_LIMIT,
                f"the sender already has {self.limits.future_per_sender} future transactions; "
                "submit the missing nonces first",
            )
        while (
            self._future_count + 1 > self.limits.future_count
            or self._future_size + size > self.limits.future_size
        ):
            worst = self._worst_future()
            if worst is None or worst.tip >= tip:
                raise PoolError(
                    PoolErrorCode.FUTURE_LIMIT,
                    "the future part of the pool is full of transactions tipping as much",
                )
            self._drop(worst)

    def _make_room(
        self, count: int, size: int, tip: int, sender: bytes, *, is_future: bool
    ) -> None:
        """Evict until the newcomer fits.

        A ready newcomer evicts any future transaction, then lower-tip ready chain ends; a
        future one evicts only lower-tip futures.
        """
        while (
            len(self._by_hash) + count > self.limits.count or self._size + size > self.limits.size
        ):
            victim = self._worst_future()
            outranked = victim is not None and (not is_future or victim.tip < tip)
            if not outranked and not is_future:
                victim = self._worst_ready_tail(exclude=sender)
                outranked = victim is not None and victim.tip < tip
            if victim is None or not outranked:
                raise PoolError(
                    PoolErrorCode.POOL_FULL,
                    f"the pool holds {len(self._by_hash)} transactions ({self._size} bytes) "
                    "tipping at least as much; raise the tip or retry later",
                )
            self._drop(victim)

    def _worst_future(self) -> PooledTransaction | None:
        entries = [entry for queue in self._future.values() for entry in queue]
        return max(entries, key=lambda entry: entry.sort_key, default=None)

    def _worst_ready_tail(self, exclude: bytes) -> PooledTransaction | None:
        """The lowest-priority last ready transaction of any sender but ``exclude``.

        A sender's ready transactions are the contiguous nonces below its ready end, so its
        tail is the one just below (one lookup per sender, not a scan of its queue).
        """
        tails = []
        for sender, queue in self._by_sender.items():
            if sender == exclude:
                continue
            account_nonce = self._account_nonce.get(sender)
            end = self.pending_nonce(sender, min(queue) if account_nonce is None else account_nonce)
            tail = queue.get(end - 1)
            if tail is not None:
                tails.append(tail)
        return max(tails, key=lambda entry: entry.sort_key, default=None)

    def _drop(self, entry: PooledTransaction) -> None:
        self._remove_entry(entry)
        self._reclassify(entry.sender)
        self._dropped.append(entry.tx_hash)

    def _note_account_nonce(self, sender: bytes, account_nonce: int) -> None:
        if self._account_nonce.get(sender) != account_nonce:
            self._ready_end.pop(sender, None)
        self._account_nonce[sender] = account_nonce

    def _reclassify(self, sender: bytes) -> None:
        """Recount which of ``sender``'s transactions are future."""
        for entry in self._future.pop(sender, []):
            self._future_count -= 1
            self._future_size -= len(entry.raw)
        queue = self._by_sender.get(sender)
        if not queue:
            return
        account_nonce = self._account_nonce.get(sender)
        ready_end = self.pending_nonce(
            sender, min(queue) if account_nonce is None else account_nonce
        )
        self._ready_end[sender] = ready_end
        if len(queue) == ready_end - self._account_nonce.get(sender, ready_end):
            return  # a contiguous chain: nothing is future (the pipelining case, kept O(1))
        future = [entry for nonce, entry in queue.items() if nonce >= ready_end]
        if future:
            self._future[sender] = future
            self._future_count += len(future)
            self._future_size += sum(len(entry.raw) for entry in future)

    def _remove_entry(self, entry: PooledTransaction) -> None:
        del self._by_hash[entry.tx_hash]
        self._ready_end.pop(entry.sender, None)
        self._size -= len(entry.raw)
        queue = self._by_sender.get(entry.sender)
        if queue is not None:
            queue.pop(entry.nonce, None)
            if not queue:
                del self._by_sender[entry.sender]
                self._account_nonce.pop(entry.sender, None)

    def pending_nonce(self, sender: bytes, account_nonce: int) -> int:
        """Return the next nonce ``sender`` should use, counting its ready transactions."""
        queue = self._by_sender.get(sender, {})
        nonce = account_nonce
        cached = self._ready_end.get(sender)
        if cached is not None and self._account_nonce.get(sender) == account_nonce:
            nonce = max(cached, account_nonce)  # nothing below the cached end was removed
        while nonce in queue:
            nonce += 1
        return nonce

    def ready(self, account_nonce: dict[bytes, int] | None = None) -> Iterator[bytes]:
        """Yield ready transactions best first (by tip, each sender in nonce order).

        Args:
            account_nonce: Each sender's current nonce; senders missing use their lowest
                pooled nonce.
        """
        nonces = account_nonce or {}
        heap: list[tuple[tuple[int, int], bytes, int]] = []
        for sender, queue in self._by_sender.items():
            start = nonces.get(sender)
            if start is None:
                start = min(queue) if queue else 0
            if start in queue:
                heap.append((queue[start].sort_key, sender, start))
        heapq.heapify(heap)
        while heap:
            _, sender, nonce = heapq.heappop(heap)
            queue = self._by_sender[sender]
            yield queue[nonce].raw
            following = nonce + 1
            if following in queue:
                heapq.heappush(heap, (queue[following].sort_key, sender, following))

    def remove(self, tx_hashes: list[bytes]) -> None:
        """Drop transactions (included in a block or found invalid)."""
        touched = set()
        for tx_hash in tx_hashes:
            entry = self._by_hash.get(tx_hash)
            if entry is not None:
                self._remove_entry(entry)
                touched.add(entry.sender)
        for sender in touched:
            self._reclassify(sender)

    def prune_stale(self, sender: bytes, account_nonce: int) -> list[bytes]:
        """Drop ``sender``'s transactions whose nonce is below its account nonce."""
        queue = self._by_sender.get(sender, {})
        stale = [entry.tx_hash for nonce, entry in queue.items() if nonce < account_nonce]
        self.remove(stale)
        if sender in self._by_sender:
            self._note_account_nonce(sender, account_nonce)
            self._reclassify(sender)
        return stale

    def expire(self, block: int) -> list[bytes]:
        """Drop what cannot enter block ``block``: ended eras and futures waiting too long."""
        lifetime = self.limits.future_lifetime
        ended = [
            entry
            for entry in self._by_hash.values()
            if entry.expires_at is not None and entry.expires_at <= block
        ]
        waited = [
            entry
            for queue in self._future.values()
            for entry in queue
            if entry.arrived_at + lifetime <= block and entry not in ended
        ]
        for entry in [*ended, *waited]:
            if entry.tx_hash in self._by_hash:
                self._drop(entry)
        return [entry.tx_hash for entry in [*ended, *waited]]

    def deferred(self, tx_hashes: list[bytes], block: int) -> list[bytes]:
        """Note transactions block ``block`` skipped as not yet applicable; returns those dropped.

        One that has waited the future lifetime since it arrived leaves (reported as dropped),
        as a future nonce does: a message whose gap never fills does not hold its relayer's
        later transactions forever.
        """
        lifetime = self.limits.future_lifetime
        waited = [
            entry
            for tx_hash in tx_hashes
            if (entry := self._by_hash.get(tx_hash)) is not None
            and entry.arrived_at + lifetime <= block
        ]
        for entry in waited:
            self._drop(entry)
        return [entry.tx_hash for entry in waited]

    def take_dropped(self) -> list[bytes]:
        """Return and forget the hashes evicted or expired since the last call."""
        dropped, self._dropped = self._dropped, []
        return dropped

    def senders(self) -> list[bytes]:
        """Return every sender with pooled transactions."""
        return list(self._by_sender)

    def pending(self) -> list[bytes]:
        """Return every pooled transaction."""
        return [entry.raw for entry in self._by_hash.values()]
