"""``khala cluster status``'s reading: leader, term, log tip, votes, members and their heads."""

from __future__ import annotations

import asyncio
import json

import pytest

from khala.cli import cluster as cluster_cli
from khala.node.etcd.log import LeaderInfo, LogKeys
from khala.node.etcd.memory import MemoryEtcd
from khala.node.etcd.settings import ClusterError, ClusterErrorCode
from khala.node.etcd.status import chains, cluster_status
from khala.sdk import SdkError, SdkErrorCode

GENESIS = bytes([7]) * 32
OTHER = bytes([9]) * 32
NODES = [bytes([n]) * 32 for n in (1, 2, 3)]


def test_the_status_reads_etcd_then_asks_every_member() -> None:
    async def scenario() -> None:
        etcd = MemoryEtcd()
        keys = LogKeys(GENESIS)
        for number in (5, 6, 7):
            await etcd.put(keys.block(number), b"block")
        for node in NODES[:2]:
            await etcd.put(keys.vote(7, node), b"vote")
        for index, node in enumerate(NODES):
            await etcd.put(keys.member(node), f"http://n{index}:9944".encode())
        term = await etcd.put(keys.leader, LeaderInfo(NODES[1].hex(), "http://n1:9944").encode())
        await etcd.put(LogKeys(OTHER).leader, b"{}")  # another chain's key

        async def heads(url: str) -> tuple[int, int]:
            if url == "http://n2:9944":
                raise SdkError(SdkErrorCode.RPC_ERROR, "connection refused")
            return 7, 6

        assert await chains(etcd) == sorted([GENESIS, OTHER])
        status = await cluster_status(etcd, GENESIS, heads)
        assert status.leader == LeaderInfo(NODES[1].hex(), "http://n1:9944")
        assert status.term == term and status.log_tip == 7 and status.tip_votes == 2
        assert [(m.node, m.head, m.finalized) for m in status.members] == [
            (NODES[0], 7, 6), (NODES[1], 7, 6), (NODES[2], None, None)
        ]  # fmt: skip
        assert "connection refused" in (status.members[2].error or "")
        empty = await cluster_status(etcd, OTHER, heads)
        assert empty.leader is None and empty.log_tip is None and empty.members == []

    asyncio.run(scenario())


@pytest.mark.parametrize("wanted", [None, bytes([0xAB]) * 32])
def test_the_command_names_the_chains_when_it_cannot_pick_one(
    wanted: bytes | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several chains and none named, or one etcd does not hold: a typed refusal listing them."""
    etcd = MemoryEtcd()
    monkeypatch.setattr(cluster_cli, "GatewayEtcd", lambda _: etcd)

    async def scenario() -> None:
        await etcd.put(LogKeys(GENESIS).leader, b"{}")
        await etcd.put(LogKeys(OTHER).leader, b"{}")
        with pytest.raises(ClusterError) as caught:
            await cluster_cli._status(["http://unused:2379"], wanted)
        assert caught.value.code is ClusterErrorCode.UNKNOWN_CHAIN
        assert "0x" + GENESIS.hex() in caught.value.message

    asyncio.run(scenario())


def test_a_malformed_genesis_hash_is_refused_by_name() -> None:
    from typer.testing import CliRunner

    from khala.cli.app import app

    result = CliRunner().invoke(app, ["cluster", "status", "--genesis-hash", "zz", "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "cli.invalid_argument" and "'zz'" in error["message"]
