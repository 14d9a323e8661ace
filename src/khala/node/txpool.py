"""The transaction pool: validated transactions waiting for a block.

Per sender, transactions whose nonce continues the account's nonce are *ready*; the others
wait as *future* until the gap fills. Block building takes ready transactions by tip (highest
first), each sender's in nonce order. A transaction replacing one with the same sender and
nonce must pay a higher tip. The pool is bounded; errors carry Substrate's RPC codes.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from khala.errors import KhalaError
from khala.primitives.hashing import blake2_256

DEFAULT_LIMIT = 8192
"""Most transactions held at once (ready and future together)."""
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


class TransactionPool:
    """Ready and future transactions, keyed by sender and nonce."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        """Create an empty pool holding at most ``limit`` transactions."""
        self.limit = limit
        self._by_sender: dict[bytes, dict[int, PooledTransaction]] = {}
        self._by_hash: dict[bytes, PooledTransaction] = {}
        self._arrivals = 0

    def __len__(self) -> int:
        """Return the number of pooled transactions."""
        return len(self._by_hash)

    def __contains__(self, tx_hash: bytes) -> bool:
        """Whether a transaction with this hash is pooled."""
        return tx_hash in self._by_hash

    def submit(self, raw: bytes, sender: bytes, nonce: int, tip: int, account_nonce: int) -> bytes:
        """Add a validated transaction; returns its hash.

        Raises:
            PoolError: Duplicate, low-priority replacement, full pool or nonce too far ahead.
        """
        tx_hash = blake2_256(raw)
        if tx_hash in self._by_hash:
            raise PoolError(PoolErrorCode.ALREADY_IMPORTED, "the transaction is already pooled")
        expected = self.pending_nonce(sender, account_nonce)
        if nonce > expected + MAX_FUTURE_GAP:
            raise PoolError(
                PoolErrorCode.TOO_FAR_IN_FUTURE,
                f"nonce {nonce} is more than {MAX_FUTURE_GAP} ahead of the expected {expected}",
            )
        queue = self._by_sender.setdefault(sender, {})
        existing = queue.get(nonce)
        if existing is not None and existing.tip >= tip:
            raise PoolError(
                PoolErrorCode.PRIORITY_TOO_LOW,
                "a transaction with this nonce is pooled; replace it only with a higher tip",
            )
        if existing is None and len(self._by_hash) >= self.limit:
            raise PoolError(PoolErrorCode.POOL_FULL, f"the pool holds {self.limit} transactions")
        if existing is not None:
            del self._by_hash[existing.tx_hash]
        self._arrivals += 1
        entry = PooledTransaction((-tip, self._arrivals), raw, tx_hash, sender, nonce, tip)
        queue[nonce] = entry
        self._by_hash[tx_hash] = entry
        return tx_hash

    def pending_nonce(self, sender: bytes, account_nonce: int) -> int:
        """Return the next nonce ``sender`` should use, counting its ready transactions."""
        queue = self._by_sender.get(sender, {})
        nonce = account_nonce
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
            start = nonces.get(sender, min(queue)) if queue else 0
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
        for tx_hash in tx_hashes:
            entry = self._by_hash.pop(tx_hash, None)
            if entry is None:
                continue
            queue = self._by_sender.get(entry.sender)
            if queue is not None:
                queue.pop(entry.nonce, None)
                if not queue:
                    del self._by_sender[entry.sender]

    def prune_stale(self, sender: bytes, account_nonce: int) -> list[bytes]:
        """Drop ``sender``'s transactions whose nonce is below its account nonce."""
        queue = self._by_sender.get(sender, {})
        stale = [entry.tx_hash for nonce, entry in queue.items() if nonce < account_nonce]
        self.remove(stale)
        return stale

    def senders(self) -> list[bytes]:
        """Return every sender with pooled transactions."""
        return list(self._by_sender)

    def pending(self) -> list[bytes]:
        """Return every pooled transaction."""
        return [entry.raw for entry in self._by_hash.values()]
