"""What honest nodes do with a log they did not expect.

Forged entries, stale leaders, forged votes and a validly sealed block whose state they
compute differently.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from khala.node.etcd.log import BLOCK_CODEC, VOTE_CODEC, Vote
from khala.node.etcd.settings import ClusterError, ClusterErrorCode, LeadershipLostError
from khala.primitives.types import SealDigest
from khala.runtime.block import Block
from khala.runtime.modules.authorship.constants import ENGINE_ID
from tests.node.cluster.harness import Cluster, Member, wait_for


def _finalized(member: Member) -> int:
    return member.node.finalized_header().number


async def _settled(cluster: Cluster, height: int) -> None:
    cluster.start()
    await wait_for(lambda: all(_finalized(m) >= height for m in cluster.members))
    await cluster.stop()
    top = max(m.node.chain.head.number for m in cluster.members)
    for member in cluster.members:  # followers may be one block behind when stopped
        if member.node.chain.head.number < top:
            await member.engine.catch_up()


async def _next_block(member: Member) -> Block:
    """A genuine next block sealed by ``member`` (not appended, not stored)."""
    sealed = await member.node.build_next_async(member.engine._own_slot)
    return Block(sealed.header, list(sealed.extrinsics))


def test_forged_entries_are_refused_never_signed_and_replaced_by_the_leader() -> None:
    """A tampered extrinsic (seal intact) and a re-rooted header (seal broken) are refused.

    No node signs them; the leader overwrites the entry under its term and the chain goes on.
    """

    async def scenario() -> None:
        cluster = Cluster(3)
        await _settled(cluster, 2)
        alice = cluster.members[0]
        height = alice.node.chain.head.number + 1
        genuine = await _next_block(alice)
        tampered = list(genuine.extrinsics)
        tampered[0] = tampered[0][:-1] + bytes([tampered[0][-1] ^ 1])
        forged = [
            Block(genuine.header, tampered),
            Block(replace(genuine.header, state_root=b"\x01" * 32), genuine.extrinsics),
        ]
        forged_hashes = set()
        for block in forged:
            forged_hashes.add(block.header.hash())
            await cluster.etcd.put(cluster.engine_keys.block(height), BLOCK_CODEC.encode(block))
            cluster.start()
            target = height + 1
            await wait_for(lambda: all(_finalized(m) >= target for m in cluster.members))  # noqa: B023
            await cluster.stop()
            for member in cluster.members:
                assert member.node.chain.store.hash_at(height) not in forged_hashes
                assert member.failure is None
            height = max(m.node.chain.head.number for m in cluster.members) + 1
            for member in cluster.members:
                if member.node.chain.head.number < height - 1:
                    await member.engine.catch_up()
        votes, _ = await cluster.etcd.range(
            cluster.engine_keys.votes, cluster.engine_keys.votes + b"\xff"
        )
        assert all(VOTE_CODEC.decode(v.value).block_hash not in forged_hashes for v in votes)

    asyncio.run(scenario())


def test_a_deposed_leader_cannot_append() -> None:
    """The append compares the leader key's create revision: an old term fails atomically."""

    async def scenario() -> None:
        cluster = Cluster(3)
        cluster.start()
        await wait_for(lambda: cluster.leader() is not None)
        old = cluster.leader()
        assert old is not None
        old_term = old.engine.term
        await old.stop()  # paused: its lease lapses, another node takes over
        await wait_for(lambda: cluster.leader() not in (None, old))
        new = cluster.leader()
        assert new is not None
        await cluster.stop()  # the new leader's lease is still valid: nobody appends now
        await old.engine.catch_up()
        old.engine.term = old_term
        height = old.node.chain.head.number + 1
        with pytest.raises(LeadershipLostError):
            await old.engine._append_next()
        assert await cluster.etcd.get(cluster.engine_keys.block(height)) is None

    asyncio.run(scenario())


def test_forged_votes_do_not_count() -> None:
    """A vote under an authority's name with a bad signature, or by an outsider, is ignored."""

    async def scenario() -> None:
        cluster = Cluster(3)
        await _settled(cluster, 1)
        alice, bob, charlie = cluster.members
        charlie.engine.votes.forget_through(10**9)
        block = await _next_block(alice)
        height = block.header.number
        await cluster.etcd.put(cluster.engine_keys.block(height), BLOCK_CODEC.encode(block))
        for member in (alice, bob):
            await member.engine.catch_up()
        block_hash = block.header.hash()
        forged = Vote(block_hash, 0, b"\x07" * 64)
        keys = cluster.engine_keys
        await cluster.etcd.put(keys.vote(height, charlie.engine.me), VOTE_CODEC.encode(forged))
        await cluster.etcd.put(keys.vote(height, b"\x09" * 32), VOTE_CODEC.encode(forged))
        alice.start()
        await asyncio.sleep(0.3)
        await alice.stop()
        assert _finalized(alice) == height - 1

    asyncio.run(scenario())


def test_a_sealed_block_with_another_state_root_halts_every_node() -> None:
    """A block sealed by its slot author with a state root nobody computes halts every node.

    Each stops with cluster.state_diverged instead of signing.
    """

    async def scenario() -> None:
        cluster = Cluster(3)
        await _settled(cluster, 1)
        alice = cluster.members[0]
        genuine = await _next_block(alice)
        unsealed = replace(
            genuine.header, state_root=b"\x05" * 32, digest=genuine.header.digest[:-1]
        )
        seal = SealDigest(ENGINE_ID, alice.node.authority.sign(unsealed.hash()))
        diverged = Block(replace(unsealed, digest=[*unsealed.digest, seal]), genuine.extrinsics)
        height = diverged.header.number
        await cluster.etcd.put(cluster.engine_keys.block(height), BLOCK_CODEC.encode(diverged))
        cluster.start()
        await wait_for(lambda: all(m.failure is not None for m in cluster.members))
        await cluster.stop()
        for member in cluster.members:
            assert isinstance(member.failure, ExceptionGroup)
            errors = member.failure.subgroup(ClusterError)
            assert errors is not None
            assert errors.exceptions[0].code == ClusterErrorCode.STATE_DIVERGED  # type: ignore[union-attr]
            assert member.node.chain.head.number == height - 1
        votes, _ = await cluster.etcd.range(
            cluster.engine_keys.votes_at(height), cluster.engine_keys.votes_at(height + 1)
        )
        assert votes == []

    asyncio.run(scenario())


def test_an_entry_rewritten_below_the_head_changes_nothing() -> None:
    """Writing over a stored block's entry does not move any node off the block it executed."""

    async def scenario() -> None:
        cluster = Cluster(3)
        await _settled(cluster, 3)
        alice = cluster.members[0]
        kept = alice.node.chain.store.hash_at(2)
        stored = await cluster.etcd.get(cluster.engine_keys.block(1))
        assert stored is not None
        cluster.start()
        await asyncio.sleep(0.05)  # the nodes follow the log: they see the rewrite
        await cluster.etcd.put(cluster.engine_keys.block(2), stored.value)
        target = alice.node.chain.head.number + 3
        await wait_for(lambda: all(_finalized(m) >= target for m in cluster.members))
        await cluster.stop()
        for member in cluster.members:
            assert member.failure is None
            assert member.node.chain.store.hash_at(2) == kept

    asyncio.run(scenario())
