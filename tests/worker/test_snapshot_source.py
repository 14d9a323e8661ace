"""A worker's --from-snapshot: a file, nodes' URLs, or its own node over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web

from khala.node.snapshot_serve import SnapshotService
from khala.runtime.genesis import dev_genesis
from khala.snapshot.format import SnapshotError, SnapshotErrorCode, SnapshotReader
from khala.worker import checkpoint
from khala.worker.snapshot_source import http_url, snapshot_file
from tests.node.rpc_harness import make_node, run


def test_node_means_the_node_the_worker_syncs_from(tmp_path: Path) -> None:
    node = make_node()
    for _ in range(3):
        node.clock.advance(2_000)  # type: ignore[attr-defined]
        node.author_next()
    service = SnapshotService(
        node.chain, dev_genesis(), tmp_path / "served", lambda: node.finalized_header().number
    )

    async def scenario() -> tuple[Path | None, Path | None]:
        app = web.Application()
        service.install(app)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ws = f"ws://127.0.0.1:{runner.addresses[0][1]}"
        base = tmp_path / "worker"
        base.mkdir()
        try:
            fetched = await snapshot_file("node", node_url=ws, base_path=base, gatekeeper=False)
            (base / checkpoint.DIRECTORY).mkdir()
            (base / checkpoint.DIRECTORY / "checkpoint-00000001.sealed").write_bytes(b"x")
            skipped = await snapshot_file("node", node_url=ws, base_path=base, gatekeeper=False)
            return fetched, skipped
        finally:
            await runner.cleanup()

    fetched, skipped = run(scenario())
    assert fetched is not None and fetched.parent == tmp_path / "worker"
    reader = SnapshotReader(fetched)
    reader.close()
    assert reader.head.header.hash() == node.chain.head_hash
    assert skipped is None  # checkpoints win: nothing downloaded


def test_files_pass_through_and_gatekeepers_are_refused(tmp_path: Path) -> None:
    async def resolve(source: str, gatekeeper: bool) -> Path | None:
        return await snapshot_file(
            source, node_url="ws://x:1", base_path=tmp_path, gatekeeper=gatekeeper
        )

    assert run(resolve("chain.snap", False)) == Path("chain.snap")
    with pytest.raises(SnapshotError) as caught:
        run(resolve("http://10.0.0.2:9944", True))
    assert caught.value.code is SnapshotErrorCode.GATEKEEPER
    assert http_url("wss://rpc.example:443") == "https://rpc.example:443"
    assert http_url("http://a:1") == "http://a:1"
