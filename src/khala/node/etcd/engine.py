"""The clustered block engine: etcd orders blocks, every node executes and co-signs them.

One node leads at a time: it holds ``leader`` under an etcd lease, builds block h from its
pool and appends it with one transaction, ``create_revision(blocks/h) == 0 AND
create_revision(leader) == term`` → put, so a deposed or paused leader's append fails
atomically. Every node (the leader included) follows ``blocks/`` in order, executes each
block on its own state (parent, slot author's seal, every extrinsic, extrinsics and state
roots), stores it and signs ``(hash, number, set_id)`` under ``votes/h/<authority>``. A
block is final once more than 2/3 of the authority set of its parent state signed the hash
this node executed: block and votes make the justification workers already verify.

Refusals: a log entry that is not a valid block sealed by its slot's authority (a forged or
tampered entry) is refused and never signed; the leader overwrites it with its own block,
fenced by its term. A block sealed by an authority that executes to another state root than
its header claims means two honest nodes disagree: the node halts with
``cluster.state_diverged`` and signs nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import structlog

from khala.node.chain import SealedBlock
from khala.node.etcd.authority import finality_set_of, is_authority, own_slot
from khala.node.etcd.client import (
    Compare,
    Etcd,
    EtcdError,
    KeyValue,
    Put,
    prefix_end,
    wait_until_reachable,
)
from khala.node.etcd.housekeeping import housekeep
from khala.node.etcd.log import BLOCK_CODEC, VOTE_CODEC, LeaderInfo, LogKeys, Vote
from khala.node.etcd.membership import Membership
from khala.node.etcd.peers import FetchBlock, JsonRpcBlocks, catch_up_from_peers
from khala.node.etcd.relay import Relay, Send
from khala.node.etcd.settings import (
    ClusterError,
    ClusterErrorCode,
    ClusterSettings,
    LeadershipLostError,
)
from khala.node.etcd.votes import FinalitySet, VoteBook
from khala.node.node import Node
from khala.primitives.finality import Justification, finality_message
from khala.primitives.scale import ScaleError, codec_of
from khala.runtime.block import Block, BlockError, BlockErrorCode

log = structlog.get_logger("khala.cluster")

_JUSTIFICATION = codec_of(Justification)


class EtcdEngine:
    """Runs a node as one member of an etcd-ordered cluster (a ``BlockEngine``)."""

    def __init__(
        self,
        node: Node,
        etcd: Etcd,
        *,
        rpc_url: str,
        settings: ClusterSettings = ClusterSettings(),
        local_time_ms: Callable[[], int] | None = None,
        send: Send | None = None,
        fetch: FetchBlock | None = None,
    ) -> None:
        """Drive ``node`` from ``etcd``; ``rpc_url`` is where other nodes reach this one."""
        self.node = node
        self.etcd = etcd
        self.settings = settings
        self.keys = LogKeys(node.chain.genesis_hash)
        self.me = node.authority.public_key
        self.info = LeaderInfo(self.me.hex(), rpc_url)
        self.local_time_ms = local_time_ms or node.clock.now_ms
        self.term: int | None = None
        """The create revision of our ``leader`` key while we lead."""
        self.leader: LeaderInfo | None = None
        """The leader as last seen."""
        self.leader_term = 0
        """The term (``leader``'s create revision) of the leader as last seen; 0: none."""
        self.votes = VoteBook()
        self.refused: dict[int, int] = {}
        """Heights whose log entry was refused, with that entry's mod revision."""
        self._lock = asyncio.Lock()
        self._housekept = 0
        self.fetch: FetchBlock = fetch or JsonRpcBlocks()
        self.relay = Relay(send)
        self.membership = Membership(etcd, self.keys, self.me, rpc_url, self.relay)
        node.relay = self.relay.accept
        node.settle = self.relay.settle

    async def run(self) -> None:
        """Follow, vote, finalize and (when elected) lead until cancelled.

        Raises:
            ClusterError: When continuing would be unsafe (diverged state, rewritten log).
            EtcdError: ``etcd.unavailable`` when no member answers at start.
        """
        try:
            await wait_until_reachable(self.etcd, self.keys.leader, self.settings.connect_timeout_s)
            await self._run_tasks()
        finally:
            if isinstance(self.fetch, JsonRpcBlocks):
                await self.fetch.close()

    async def _run_tasks(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self._follow_blocks())
            group.create_task(self._follow_votes())
            group.create_task(self._campaign())
            group.create_task(self.relay.run())
            group.create_task(self.membership.run())

    # -- following -------------------------------------------------------------------------

    async def _follow_blocks(self) -> None:
        """Import the log's blocks in order, from a range read and then a watch."""
        while True:
            try:
                revision = await self.catch_up()
                start, end = self.keys.blocks, prefix_end(self.keys.blocks)
                async for events in self.etcd.watch(start, end, start_revision=revision + 1):
                    for event in events:
                        if event.kind == "put":
                            async with self._lock:
                                await self._take(event.entry)
            except EtcdError as error:
                log.warning("block log unavailable; retrying", error=error.message)
                await asyncio.sleep(self.settings.poll_s * 4)

    async def catch_up(self) -> int:
        """Import every block the log holds above the head; returns the revision read."""
        async with self._lock:
            head = self.node.chain.head.number
            found, revision = await self.etcd.range(
                self.keys.block(head + 1), prefix_end(self.keys.blocks)
            )
            for entry in found:
                await self._take(entry)
            await self._finalize_ready()
            return revision

    async def _take(self, entry: KeyValue) -> None:
        """Handle one log entry (the lock is held)."""
        number = self.keys.block_number(entry.key)
        chain = self.node.chain
        if number is None or number <= chain.head.number:
            if number is not None and number > 0:
                self._check_unchanged(number, entry)
            return
        if number > chain.head.number + 1 and chain.head.number + 1 in self.refused:
            return  # the next entry was refused: wait for the leader to replace it
        if number > chain.head.number + 1:
            await self._catch_up_from_peers(number - 1)
        if number > chain.head.number + 1:
            raise ClusterError(
                ClusterErrorCode.TOO_FAR_BEHIND,
                f"the log's next block is #{number} but this node is at "
                f"#{chain.head.number} and no peer served the blocks between; start it from a "
                "recent snapshot",
            )
        try:
            block = BLOCK_CODEC.decode(entry.value)
            sealed = await asyncio.to_thread(
                chain.import_block,
                block.header,
                list(block.extrinsics),
                local_time_ms=self.local_time_ms(),
            )
        except ScaleError as error:
            self._refuse(number, entry, f"undecodable: {error.message}")
            return
        except BlockError as error:
            if error.code == BlockErrorCode.STATE_ROOT_MISMATCH:
                raise ClusterError(ClusterErrorCode.STATE_DIVERGED, error.message) from None
            self._refuse(number, entry, error.message)
            return
        await self._adopt(sealed)

    async def _catch_up_from_peers(self, up_to: int) -> None:
        """Fetch the blocks etcd no longer holds from the other members (the lock is held)."""
        found, _ = await self.etcd.range(self.keys.members, prefix_end(self.keys.members))
        peers = [
            entry.value.decode()
            for entry in found
            if self.keys.member_of(entry.key) not in (None, self.me)
        ]
        start = self.node.chain.head.number
        imported = await catch_up_from_peers(self.node, peers, self.fetch, up_to, self.finality_set)
        log.info("caught up from peers", first=start + 1, blocks=imported, peers=len(peers))

    def _check_unchanged(self, number: int, entry: KeyValue) -> None:
        """A log entry at a height this node already stored: it must be the stored block.

        Another block there (written by hand over the log) changes nothing here: this node
        keeps and votes for the block it executed, so the rewrite is only logged.
        """
        try:
            header = BLOCK_CODEC.decode(entry.value).header
        except ScaleError:
            header = None
        if header is None or header.hash() != self.node.chain.store.hash_at(number):
            log.error("the log entry of a stored block was rewritten; ignored", number=number)

    def _refuse(self, number: int, entry: KeyValue, why: str) -> None:
        self.refused[number] = entry.mod_revision
        log.error("refused a log entry; not signing it", number=number, reason=why)

    async def _adopt(self, sealed: SealedBlock) -> None:
        """Store a block as the head and vote for it (the lock is held)."""
        finality = self.finality_set(sealed.header.number)
        self.node.adopt(sealed)
        self.refused.pop(sealed.header.number, None)
        if self.me in finality.authorities:
            number = sealed.header.number
            message = finality_message(sealed.block_hash, number, finality.set_id)
            vote = Vote(sealed.block_hash, finality.set_id, self.node.authority.sign(message))
            self.votes.add(number, self.me, vote.block_hash, vote.set_id, vote.signature)
            await self.etcd.put(self.keys.vote(number, self.me), VOTE_CODEC.encode(vote))
        await self._finalize_ready()

    def finality_set(self, number: int) -> FinalitySet:
        """The authority set that finalizes block ``number`` (its parent state's)."""
        return finality_set_of(self.node.chain, number)

    # -- votes and finality ----------------------------------------------------------------

    async def _follow_votes(self) -> None:
        """Collect votes and finalize blocks as their thresholds are reached."""
        while True:
            try:
                final = self.node.finalized_header().number
                found, revision = await self.etcd.range(
                    self.keys.votes_at(final + 1), prefix_end(self.keys.votes)
                )
                self.votes.add_entries(self.keys, found)
                async with self._lock:
                    await self._finalize_ready()
                start, end = self.keys.votes, prefix_end(self.keys.votes)
                async for events in self.etcd.watch(start, end, start_revision=revision + 1):
                    puts = [event.entry for event in events if event.kind == "put"]
                    self.votes.add_entries(self.keys, puts)
                    async with self._lock:
                        await self._finalize_ready()
            except EtcdError as error:
                log.warning("votes unavailable; retrying", error=error.message)
                await asyncio.sleep(self.settings.poll_s * 4)

    async def _finalize_ready(self) -> None:
        """Finalize, in order, every stored block whose votes reached the threshold."""
        chain = self.node.chain
        while True:
            number = self.node.finalized_header().number + 1
            if number > chain.head.number:
                return
            block_hash = chain.store.hash_at(number)
            if block_hash is None:
                return
            justification = self.votes.justification(number, block_hash, self.finality_set(number))
            if justification is None:
                return
            self.node.finalize(chain.header(block_hash), _JUSTIFICATION.encode(justification))
            self.votes.forget_through(number)
            log.info("block finalized", number=number, signatures=len(justification.signatures))

    # -- leading ---------------------------------------------------------------------------

    async def _campaign(self) -> None:
        """Watch the leadership; take it when vacant (authorities only) and lead."""
        while True:
            try:
                current = await self.etcd.get(self.keys.leader)
                term = 0 if current is None else current.create_revision
                self.leader = None if current is None else LeaderInfo.decode(current.value)
                if term and term != self.leader_term and self.leader is not None:
                    self._hand_pool_to(self.leader)
                self.leader_term = term
                if current is None and self._is_authority():
                    await self._try_lead()
            except EtcdError as error:
                log.warning("leadership unknown; retrying", error=error.message)
            await asyncio.sleep(self.settings.poll_s)

    def _hand_pool_to(self, leader: LeaderInfo) -> None:
        """Send a new leader this node's whole pool.

        What only the old leader held is gone; what any follower holds survives.
        """
        if leader.authority != self.me.hex():
            self.relay.push(leader.rpc_url, self.node.pool.pending())

    def _is_authority(self) -> bool:
        return is_authority(self.node.chain, self.me)

    async def _try_lead(self) -> None:
        lease = await self.etcd.grant_lease(self.settings.lease_ttl_s)
        won = await self.etcd.txn(
            [Compare(self.keys.leader, "create", 0)],
            [Put(self.keys.leader, self.info.encode(), lease)],
        )
        if not won.succeeded:
            await self.etcd.revoke(lease)
            return
        self.term = won.revision
        self.leader = self.info
        log.info("leading", term=self.term)
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._keep_lease(lease))
                group.create_task(self._lead())
        except* LeadershipLostError:
            log.warning("leadership lost", term=self.term)
        except* EtcdError as errors:
            log.warning("leadership lost", term=self.term, error=str(errors.exceptions[0]))
        finally:
            self.term = None
            with contextlib.suppress(EtcdError):
                await self.etcd.revoke(lease)  # the others need not wait for the lease to lapse

    async def _keep_lease(self, lease: int) -> None:
        interval = self.settings.lease_ttl_s / 4
        while True:
            await asyncio.sleep(interval)
            await self.etcd.keep_alive(lease)

    async def _lead(self) -> None:
        """Build and append a block every block time while the term lasts."""
        loop = asyncio.get_running_loop()
        interval = self.settings.block_time_s
        while True:
            await self.catch_up()
            # Never stamp a block ahead of the clock: followers refuse blocks from the future.
            await asyncio.sleep(self.node.wait_before_next_block_ms() / 1000)
            async with self._lock:
                await self._append_next()
            await asyncio.sleep(interval - (loop.time() % interval))

    async def _append_next(self) -> None:
        """Build the next block and append it, fenced by the term (the lock is held).

        Raises:
            LeadershipLostError: When the append fails because the term is over.
        """
        chain = self.node.chain
        if not self._is_authority():
            raise LeadershipLostError  # governance took this node out of the set: resign
        if chain.head.number - self.node.finalized_header().number >= self.settings.max_unfinalized:
            return
        number = chain.head.number + 1
        key = self.keys.block(number)
        existing = await self.etcd.get(key)
        if existing is not None and self.refused.get(number) != existing.mod_revision:
            return  # a block to import first (the watch brings it)
        sealed = await self.node.build_next_async(self._own_slot)
        slot_free = (
            Compare(key, "create", 0)
            if existing is None
            else Compare(key, "mod", existing.mod_revision)
        )
        result = await self.etcd.txn(
            [slot_free, Compare(self.keys.leader, "create", self.term or -1)],
            [Put(key, BLOCK_CODEC.encode(Block(sealed.header, list(sealed.extrinsics))))],
        )
        if not result.succeeded:
            current = await self.etcd.get(self.keys.leader)
            if current is None or current.create_revision != self.term:
                raise LeadershipLostError
            return
        await self._adopt(sealed)
        log.info(
            "block appended",
            number=number,
            extrinsics=len(sealed.extrinsics),
            pool=len(self.node.pool),
            replaced=existing is not None,
        )
        if number - self._housekept >= self.settings.housekeeping_every:
            final = self.node.finalized_header().number
            rounds = self._housekept // self.settings.housekeeping_every
            await housekeep(
                self.etcd, self.keys, self.settings, finalized=final, revision=result.revision,
                rounds=rounds,
            )  # fmt: skip
            self._housekept = number

    def _own_slot(self, earliest: int) -> int:
        return own_slot(self.node.chain, self.me, earliest)
