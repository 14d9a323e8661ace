"""The node's core: accept transactions, author blocks, tell subscribers what happened.

No networking here: the RPC server and the block engine drive a :class:`Node`, and tests
drive it directly. Subscribers receive notifications on ``asyncio.Queue``s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from khala.node.chain import AuthoredBlock, Chain, SealedBlock
from khala.node.clock import Clock
from khala.node.signature_offload import SignatureOffload
from khala.node.txpool import TransactionPool
from khala.primitives.crypto import Keypair
from khala.primitives.hashing import blake2_256
from khala.primitives.types import Header
from khala.runtime.builder import BlockBuilder
from khala.runtime.modules.authorship.state import CURRENT_SLOT
from khala.runtime.modules.system.state import account
from khala.runtime.modules.timestamp.state import NOW
from khala.runtime.state import State

SUBSCRIBER_QUEUE_LIMIT = 1024
"""Notifications buffered per subscriber before the oldest are dropped."""


@dataclass(frozen=True, slots=True)
class TransactionStatus:
    """A status change of a watched transaction (Substrate's ``TransactionStatus``)."""

    kind: str
    """``ready``, ``future``, ``inBlock``, ``finalized``, ``invalid`` or ``dropped``."""
    block_hash: bytes | None = None
    """The block, for ``inBlock`` and ``finalized``."""

    def to_json(self) -> Any:
        """Return the RPC form: a bare string or ``{"inBlock": "0x.."}``."""
        if self.block_hash is None:
            return self.kind
        return {self.kind: "0x" + self.block_hash.hex()}


BUILD_SLICE = 8
"""Transactions applied between two yields to the event loop while a block is built (about
4 ms of work for transfers): reads wait at most that long behind the builder."""


class Node:
    """Chain + pool + notifications."""

    def __init__(
        self, chain: Chain, pool: TransactionPool, authority: Keypair, clock: Clock
    ) -> None:
        """Assemble a node from its parts."""
        self.chain = chain
        self.pool = pool
        self.authority = authority
        self.clock = clock
        self.transaction_arrived = asyncio.Event()
        self._head_subscribers: list[asyncio.Queue[Any]] = []
        self._final_subscribers: list[asyncio.Queue[Any]] = []
        self._awaiting_finality: dict[bytes, list[bytes]] = {}
        self.relay: Callable[[bytes], None] | None = None
        """Called with each transaction a client submitted here (after it was pooled)."""
        self.relayed_submissions = 0
        """Transactions handed to :attr:`relay` so far."""
        self.settle: Callable[[], Awaitable[None]] | None = None
        """Returns once every transaction handed to :attr:`relay` so far reached the other
        reachable nodes (the RPC server awaits it before answering a submission)."""
        self._watchers: dict[bytes, list[asyncio.Queue[TransactionStatus]]] = {}
        self.signature_offload: SignatureOffload | None = None
        """Where :meth:`preverify` sends signatures (None: the pool verifies them itself)."""

    async def preverify(self, raws: Sequence[bytes]) -> None:
        """Verify the signatures of transactions about to be submitted, off the event loop.

        The RPC server calls this before the submissions themselves; the signatures the
        offload verified are recorded, so :meth:`submit` does not verify them again. Nothing
        is pooled or refused here: a transaction that fails any check is left to
        :meth:`submit`, which refuses it with the reason.
        """
        offload = self.signature_offload
        if offload is None or not raws:
            return
        head, head_hash, trie = self.chain.tip
        state = State(trie)
        executive = self.chain.executive
        jobs = [
            job
            for raw in raws
            if (job := executive.signature_job(state, raw, head.number + 1, head_hash)) is not None
        ]
        if not jobs:
            return
        verdicts = await offload.verify(
            [(job.scheme, job.public_key, job.payload, job.signature) for job in jobs]
        )
        for job, verified in zip(jobs, verdicts, strict=True):
            if verified:
                executive.record_verified(job)

    def submit(self, raw: bytes, *, relay: bool = True) -> bytes:
        """Validate and pool a transaction; returns its hash.

        With ``relay`` (a client's submission) the transaction is also handed to
        :attr:`relay` when set: the clustered engine passes it on to the other nodes. A
        transaction another node relayed is pooled with ``relay=False`` (not passed on again).

        Raises:
            InvalidTransactionError: When the runtime refuses it.
            PoolError: When the pool refuses it.
        """
        chain = self.chain
        head, head_hash, trie = chain.tip  # one head, whatever the sealing thread does meanwhile
        state = State(trie)
        number = head.number + 1
        checked = chain.executive.validate_transaction(state, raw, number, head_hash)
        account_nonce = account(state, checked.sender).nonce
        tx_hash = self.pool.submit(
            raw,
            checked.sender,
            checked.nonce,
            checked.tip,
            account_nonce,
            block=number,
            expires_at=number + checked.longevity,
        )
        self._report_dropped()
        self.transaction_arrived.set()
        if relay and self.relay is not None:
            self.relay(raw)
            self.relayed_submissions += 1
        return tx_hash

    def _report_dropped(self) -> None:
        """Tell watchers of evicted or expired transactions that they left the pool."""
        for tx_hash in self.pool.take_dropped():
            self._notify(tx_hash, TransactionStatus("dropped"), last=True)

    def next_nonce(self, who: bytes) -> int:
        """Return the nonce ``who`` should use next, counting pooled transactions."""
        return self.pool.pending_nonce(who, account(self.chain.best_state(), who).nonce)

    def watch(self, tx_hash: bytes) -> asyncio.Queue[TransactionStatus]:
        """Return a queue receiving the status changes of a pooled transaction."""
        queue: asyncio.Queue[TransactionStatus] = asyncio.Queue(SUBSCRIBER_QUEUE_LIMIT)
        self._watchers.setdefault(tx_hash, []).append(queue)
        return queue

    def unwatch(self, tx_hash: bytes, queue: asyncio.Queue[TransactionStatus]) -> None:
        """Stop sending statuses to ``queue``."""
        queues = self._watchers.get(tx_hash, [])
        if queue in queues:
            queues.remove(queue)
        if not queues:
            self._watchers.pop(tx_hash, None)

    def subscribe_heads(self, *, finalized: bool = False) -> asyncio.Queue[Any]:
        """Return a queue receiving every new head (every newly finalized one if ``finalized``).

        With the dev engine a block is final as soon as it is authored; with the clustered
        engine it becomes final when its votes arrive.
        """
        queue: asyncio.Queue[Any] = asyncio.Queue(SUBSCRIBER_QUEUE_LIMIT)
        (self._final_subscribers if finalized else self._head_subscribers).append(queue)
        return queue

    def unsubscribe_heads(self, queue: asyncio.Queue[Any]) -> None:
        """Stop sending heads to ``queue``."""
        for subscribers in (self._head_subscribers, self._final_subscribers):
            if queue in subscribers:
                subscribers.remove(queue)

    def finalized_header(self) -> Header:
        """The last finalized block's header."""
        finalized = self.chain.store.finalized_hash()
        return self.chain.head if finalized is None else self.chain.header(finalized)

    def wait_before_next_block_ms(self) -> int:
        """Milliseconds until the next block's timestamp may be the current time.

        Timestamps must grow by the minimum period; authoring earlier would stamp the block
        ahead of the clock, so engines wait this long first.
        """
        state = self.chain.best_state()
        earliest = NOW.get(state) + self.chain.preset.minimum_period_ms
        return max(earliest - self.clock.now_ms(), 0)

    def author_next(self) -> AuthoredBlock:
        """Author the next block from the pool and notify subscribers (synchronously)."""
        slot, now_ms, candidates = self._prepare()
        authored = self.chain.author(
            self.authority, slot=slot, now_ms=now_ms, candidates=candidates
        )
        self._finish(authored)
        return authored

    async def author_next_async(self) -> AuthoredBlock:
        """Author and finalize (1-of-1) the next block without stalling the event loop.

        Transactions are applied in slices of :data:`BUILD_SLICE` with a yield to the loop
        between them, on a fork of the head's trie, so RPC reads keep being answered from the
        previous head (never a half-built block). Finishing (the state root) and the LMDB
        commit run in a worker thread.
        """
        builder = await self._build(None)
        authored = await asyncio.to_thread(self.chain.seal_block, self.authority, builder)
        self._finish(authored)
        return authored

    async def build_next_async(self, choose_slot: Callable[[int], int]) -> SealedBlock:
        """Build and seal the next block without storing it.

        The clustered engine appends it to its log first; ``choose_slot`` moves the earliest
        slot to one this node owns.
        """
        builder = await self._build(choose_slot)
        return await asyncio.to_thread(self.chain.seal, self.authority, builder)

    async def _build(self, choose_slot: Callable[[int], int] | None) -> BlockBuilder:
        slot, now_ms, candidates = self._prepare()
        if choose_slot is not None:
            slot = choose_slot(slot)
        builder = self.chain.start_block(self.authority, slot=slot, now_ms=now_ms)
        for index, raw in enumerate(candidates, start=1):
            if not builder.push(raw):
                break
            if index % BUILD_SLICE == 0:
                await asyncio.sleep(0)
        return builder

    def adopt(self, sealed: SealedBlock) -> None:
        """Store a block sealed here or imported as the new head, not yet final.

        The pool, transaction watchers and head subscribers are told.
        """
        self.chain.commit(sealed, None)
        self._note_head(sealed.authored)
        included = [blake2_256(raw) for raw in sealed.authored.built.included]
        self._awaiting_finality[sealed.block_hash] = included

    def finalize(self, header: Header, justification: bytes) -> None:
        """Make a stored block final with its justification and tell watchers and subscribers.

        Blocks are finalized in order; each one's transactions get their ``finalized`` status.
        """
        block_hash = header.hash()
        self.chain.finalize(block_hash, justification)
        for tx_hash in self._awaiting_finality.pop(block_hash, []):
            self._notify(tx_hash, TransactionStatus("finalized", block_hash), last=True)
        for queue in list(self._final_subscribers):
            _offer(queue, header)

    def _prepare(self) -> tuple[int, int, list[bytes]]:
        """The next block's slot and time, and the pool's ready transactions, best first."""
        state = self.chain.best_state()
        block_time = self.chain.preset.block_time_ms
        slot = max(self.clock.now_ms() // block_time, CURRENT_SLOT.get(state) + 1)
        previous = NOW.get(state)
        now_ms = max(self.clock.now_ms(), previous + self.chain.preset.minimum_period_ms)
        nonces = {sender: account(state, sender).nonce for sender in self.pool.senders()}
        self.transaction_arrived.clear()
        return slot, now_ms, list(self.pool.ready(nonces))

    def _finish(self, authored: AuthoredBlock) -> None:
        """Tell the pool, watchers and subscribers about a block authored and finalized here."""
        included = self._note_head(authored)
        finalized = TransactionStatus("finalized", authored.block_hash)
        for tx_hash in included:
            self._notify(tx_hash, finalized, last=True)
        for queue in list(self._final_subscribers):
            _offer(queue, authored.header)

    def _note_head(self, authored: AuthoredBlock) -> list[bytes]:
        """Update the pool and tell watchers and head subscribers about a new head.

        Returns the hashes of the block's transactions.
        """
        included = [blake2_256(raw) for raw in authored.built.included]
        rejected = [blake2_256(raw) for raw, _ in authored.built.rejected]
        self.pool.remove(included + rejected)
        deferred = [blake2_256(raw) for raw in authored.built.deferred]
        self.pool.deferred(deferred, authored.header.number)
        head_state = self.chain.best_state()
        for sender in self.pool.senders():
            dropped = self.pool.prune_stale(sender, account(head_state, sender).nonce)
            rejected.extend(dropped)
        self.pool.expire(self.chain.head.number + 1)
        self._report_dropped()
        in_block = TransactionStatus("inBlock", authored.block_hash)
        for tx_hash in included:
            self._notify(tx_hash, in_block)
        invalid = TransactionStatus("invalid")
        for tx_hash in rejected:
            self._notify(tx_hash, invalid, last=True)
        for queue in list(self._head_subscribers):
            _offer(queue, authored.header)
        return included

    def _notify(self, tx_hash: bytes, status: TransactionStatus, *, last: bool = False) -> None:
        queues = self._watchers.get(tx_hash)
        if queues is None:  # nobody watches (the usual case: one lookup per transaction)
            return
        for queue in queues:
            _offer(queue, status)
        if last:
            del self._watchers[tx_hash]


def _offer(queue: asyncio.Queue[Any], item: Any) -> None:
    """Enqueue without blocking, dropping the oldest item of a slow subscriber."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(item)
