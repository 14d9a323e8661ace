"""The clustered engine in process: one leader appends, every node executes and co-signs."""

from __future__ import annotations

import asyncio

from khala.primitives.finality import Justification, verify_justification
from khala.primitives.scale import codec_of
from khala.runtime.modules.authorship.state import AUTHORITIES
from khala.runtime.modules.system.state import account
from tests.node.cluster.harness import Cluster, transfer, wait_for

_JUSTIFICATION = codec_of(Justification)


def _finalized(member: object) -> int:
    return member.node.finalized_header().number  # type: ignore[attr-defined]


def test_blocks_are_appended_once_executed_everywhere_and_final_with_every_signature() -> None:
    """Three authorities: one leads, all store the same blocks, each final with 3 of 3 votes.

    A transfer sent to a follower is forwarded to the leader and lands everywhere.
    """

    async def scenario() -> None:
        cluster = Cluster(3)
        cluster.start()
        try:
            await wait_for(lambda: all(_finalized(m) >= 3 for m in cluster.members))
            leader = cluster.leader()
            assert leader is not None
            follower = next(m for m in cluster.members if m is not leader)
            dest = b"\x42" * 32
            follower.node.submit(transfer("Ferdie", 0, dest, follower.node.chain.genesis_hash))
            await wait_for(
                lambda: all(
                    account(m.node.chain.best_state(), dest).data.free > 0 for m in cluster.members
                )
            )
            target = max(_finalized(m) for m in cluster.members) + 2
            await wait_for(lambda: all(_finalized(m) >= target for m in cluster.members))
        finally:
            await cluster.stop()
        assert all(m.failure is None for m in cluster.members)
        height = min(_finalized(m) for m in cluster.members)
        chain = cluster.members[0].node.chain
        authorities = [a.finality_key for a in AUTHORITIES.get(chain.best_state())]
        for number in range(1, height + 1):
            hashes = {m.node.chain.store.hash_at(number) for m in cluster.members}
            assert len(hashes) == 1
            (block_hash,) = hashes
            assert block_hash is not None
            raw = chain.store.justification(block_hash)
            assert raw is not None
            justification = _JUSTIFICATION.decode(raw)
            assert len(justification.signatures) == 3
            verify_justification(
                justification,
                block_hash=block_hash,
                number=number,
                set_id=0,
                authorities=authorities,
            )
        assert follower.engine.relay.relayed >= 1

    asyncio.run(scenario())


def test_with_an_authority_down_blocks_wait_for_finality_and_then_catch_up() -> None:
    """With one of 3 authorities stopped nothing more is finalized (3 of 3 are needed).

    When it returns it imports the missed blocks and every block becomes final.
    """

    async def scenario() -> None:
        cluster = Cluster(3)
        cluster.start()
        try:
            await wait_for(lambda: all(_finalized(m) >= 2 for m in cluster.members))
            leader = cluster.leader()
            stopped = next(m for m in cluster.members if m is not leader)
            await stopped.stop()
            final_then = max(_finalized(m) for m in cluster.members)
            await wait_for(lambda: leader.node.chain.head.number >= final_then + 4)
            assert max(_finalized(m) for m in cluster.members if m is not stopped) <= final_then + 1
            stopped.start()
            target = leader.node.chain.head.number
            await wait_for(lambda: all(_finalized(m) >= target for m in cluster.members))
        finally:
            await cluster.stop()
        assert all(m.failure is None for m in cluster.members)

    asyncio.run(scenario())


def test_a_node_behind_etcds_window_catches_up_from_its_peers() -> None:
    """Blocks etcd already deleted come from the other members, verified, then the log."""

    async def scenario() -> None:
        cluster = Cluster(3)
        cluster.start()
        try:
            await wait_for(lambda: all(_finalized(m) >= 24 for m in cluster.members), 30)
            first, _ = await cluster.etcd.range(
                cluster.engine_keys.blocks, cluster.engine_keys.blocks + b"\xff", limit=1
            )
            assert cluster.engine_keys.block_number(first[0].key) > 2  # the window moved on
            late = cluster.add("Dave")
            late.start()
            target = max(m.node.chain.head.number for m in cluster.members[:3]) + 2
            await wait_for(lambda: _finalized(late) >= target, 30)
        finally:
            await cluster.stop()
        assert all(m.failure is None for m in cluster.members)
        assert cluster.fetched > 0
        for number in range(1, target + 1):
            assert len({m.node.chain.store.hash_at(number) for m in cluster.members}) == 1

    asyncio.run(scenario())
