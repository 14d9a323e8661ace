"""Governance changes the authority set of a running cluster."""

from __future__ import annotations

import asyncio
from pathlib import Path

from khala.node.snapshot_ops import export_snapshot, import_snapshot
from khala.node.storage import MemoryChainStore
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.finality import Justification
from khala.primitives.scale import codec_of
from khala.runtime.modules.authorship.calls import ScheduleChange
from khala.runtime.modules.authorship.state import AUTHORITY_SET_ID, Authority
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from khala.sdk import core
from tests.node.cluster.harness import Cluster, Member, wait_for

_JUSTIFICATION = codec_of(Justification)


def _authority(name: str) -> Authority:
    return Authority(
        keypair_from_uri(f"//{name}", KeyScheme.ED25519).public_key,
        keypair_from_uri(f"//{name}").public_key,
    )


def _finalized(member: Member) -> int:
    return member.node.finalized_header().number


def test_a_new_set_takes_over_finality_and_the_removed_authority_steps_aside(
    tmp_path: Path,
) -> None:
    """//Alice leaves, //Dave (a follower so far) joins.

    Later blocks carry set 1's signatures (Bob, Charlie, Dave), and the chain goes on, also
    when //Alice led: she resigns instead of failing to author. A snapshot taken afterwards
    carries the change (recorded when the votes finalized its block) and imports.
    """

    async def scenario() -> None:
        cluster = Cluster(4, authorities=3)
        cluster.start()
        try:
            await wait_for(lambda: all(_finalized(m) >= 2 for m in cluster.members))
            alice, bob, _, dave = cluster.members
            new_set = [_authority(name) for name in ("Bob", "Charlie", "Dave")]
            call = Sudo(ScheduleChange(new_set, 1))
            raw = core.sign(
                keypair_from_uri("//Alice"), call, nonce=0, tip=0,
                genesis_hash=bob.node.chain.genesis_hash, spec_version=SPEC_VERSION,
                transaction_version=TRANSACTION_VERSION,
            )  # fmt: skip
            bob.node.submit(raw)
            await wait_for(
                lambda: all(
                    AUTHORITY_SET_ID.get(m.node.chain.best_state()) == 1 for m in cluster.members
                )
            )
            target = max(m.node.chain.head.number for m in cluster.members) + 4
            await wait_for(lambda: all(_finalized(m) >= target for m in cluster.members), 20)
        finally:
            await cluster.stop()
        assert all(m.failure is None for m in cluster.members)
        store = dave.node.chain.store
        sets = []
        for number in range(1, target + 1):
            block_hash = store.hash_at(number)
            assert block_hash is not None
            raw_justification = store.justification(block_hash)
            assert raw_justification is not None
            justification = _JUSTIFICATION.decode(raw_justification)
            signers = {signature.authority for signature in justification.signatures}
            sets.append((justification.set_id, signers))
        old_keys = {_authority(n).finality_key for n in ("Alice", "Bob", "Charlie")}
        new_keys = {authority.finality_key for authority in new_set}
        assert sets[0] == (0, old_keys)
        assert sets[-1] == (1, new_keys)
        switch = next(index for index, (set_id, _) in enumerate(sets) if set_id == 1)
        assert all(entry == (0, old_keys) for entry in sets[:switch])
        assert all(entry == (1, new_keys) for entry in sets[switch:])
        assert not alice.engine._is_authority() and alice.engine.term is None
        snapshot = tmp_path / "after-the-change.snapshot"
        export_snapshot(store, cluster.genesis, snapshot)
        imported = import_snapshot(MemoryChainStore(), cluster.genesis, snapshot)
        assert imported.number >= target and len(store.set_changes()) == 1

    asyncio.run(scenario())
