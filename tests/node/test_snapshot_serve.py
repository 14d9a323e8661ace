"""Snapshots over HTTP: a node serves its finalized state, a joining node downloads it.

The served file is exported once and reused until the finalized block moves on by the
refresh interval; unreachable or failing peers are skipped; what a peer serves is verified
by the importer like any file (a peer serving garbage gets a typed refusal).
"""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from khala.node.chain import Chain
from khala.node.snapshot_ops import import_snapshot
from khala.node.snapshot_serve import SnapshotService
from khala.node.storage import MemoryChainStore
from khala.runtime.genesis import dev_genesis
from khala.snapshot.download import download_snapshot, snapshot_url
from khala.snapshot.format import SnapshotError, SnapshotErrorCode
from tests.node.rpc_harness import make_node, run

GENESIS = dev_genesis()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


def test_a_node_serves_its_finalized_snapshot_and_a_new_node_starts_from_it(
    tmp_path: Path,
) -> None:
    node = make_node()
    for _ in range(5):
        node.clock.advance(2_000)  # type: ignore[attr-defined]
        node.author_next()
    exports: list[int] = []
    service = SnapshotService(
        node.chain,
        GENESIS,
        tmp_path / "served",
        lambda: node.finalized_header().number,
        refresh_blocks=4,
    )

    async def scenario() -> None:
        app = web.Application()
        service.install(app)
        runner, url = await _serve(app)
        broken_app = web.Application()  # a peer that answers 404
        broken, broken_url = await _serve(broken_app)
        try:
            first = tmp_path / "first.snapshot"
            lines: list[str] = []
            dead = f"http://127.0.0.1:{_closed_port()}"
            await download_snapshot([dead, broken_url, url], first, lines.append)
            assert any("HTTP 404" in line for line in lines)
            assert any("downloading block #5" in line for line in lines)
            assert service.current is not None
            exports.append(service.current[1].number)
            second = tmp_path / "second.snapshot"
            await download_snapshot([url + "/snapshot"], second)
            assert second.read_bytes() == first.read_bytes()  # served again, not re-exported
            async with (
                aiohttp.ClientSession() as session,
                session.get(url + "/snapshot", headers={"Range": "bytes=100-"}) as part,
            ):
                assert part.status == 206 and await part.read() == first.read_bytes()[100:]
                assert part.headers["X-Khala-Snapshot-Hash"] == "0x" + node.chain.head_hash.hex()
            for _ in range(4):
                node.clock.advance(2_000)  # type: ignore[attr-defined]
                node.author_next()
            third = tmp_path / "third.snapshot"
            await download_snapshot([url], third)
            exports.append(service.current[1].number)
            assert [p.name for p in (tmp_path / "served").iterdir()] == ["finalized-9.snapshot"]
            with pytest.raises(SnapshotError) as caught:
                await download_snapshot([dead, broken_url], tmp_path / "never.snapshot")
            assert caught.value.code is SnapshotErrorCode.DOWNLOAD_FAILED
            assert dead in caught.value.message and "404" in caught.value.message
            assert "Cannot connect" in caught.value.message  # the reason, not an object repr
            assert not (tmp_path / "never.snapshot").exists()
            assert not (tmp_path / "never.snapshot.partial").exists()
        finally:
            await runner.cleanup()
            await broken.cleanup()

    run(scenario())
    assert exports == [5, 9]
    store = MemoryChainStore()
    summary = import_snapshot(store, GENESIS, tmp_path / "third.snapshot")
    assert summary.number == 9 and summary.block_hash == node.chain.head_hash
    assert Chain(store, GENESIS).trie.root_hash() == node.chain.trie.root_hash()
    service.close()
    assert list((tmp_path / "served").iterdir()) == []


def test_what_a_peer_serves_is_verified_like_any_file(tmp_path: Path) -> None:
    """A peer answering 200 with garbage: downloaded, then refused by the importer."""

    async def garbage(_: web.Request) -> web.Response:
        return web.Response(body=b"KHALA-SNAPSHOT\x02" + b"\xff" * 64)

    async def scenario() -> Path:
        app = web.Application()
        app.router.add_get("/snapshot", garbage)
        runner, url = await _serve(app)
        try:
            return await download_snapshot([url], tmp_path / "bad.snapshot")
        finally:
            await runner.cleanup()

    path = run(scenario())
    with pytest.raises(SnapshotError) as caught:
        import_snapshot(MemoryChainStore(), GENESIS, path)
    assert caught.value.code is SnapshotErrorCode.CORRUPT
    assert snapshot_url("http://a:9944/") == "http://a:9944/snapshot"


def test_a_broken_off_download_resumes_where_it_stopped(tmp_path: Path) -> None:
    """The peer cuts the first transfer halfway; the client resumes with a range request.

    A resumed part of another block's snapshot is never appended: the client starts over.
    """
    body = bytes(range(256)) * 4096  # 1 MiB stands in for a snapshot
    ranges: list[str | None] = []
    served_hash = ["0xaa"]

    async def flaky(request: web.Request) -> web.StreamResponse:
        asked = request.headers.get("Range")
        ranges.append(asked)
        headers = {"X-Khala-Snapshot-Number": "7", "X-Khala-Snapshot-Hash": served_hash[0]}
        if asked is None:
            response = web.StreamResponse(headers={**headers, "Content-Length": str(len(body))})
            await response.prepare(request)
            await response.write(body[: len(body) // 2])
            assert request.transport is not None
            request.transport.close()  # the link drops halfway
            return response
        start = int(asked.removeprefix("bytes=").rstrip("-"))
        return web.Response(status=206, body=body[start:], headers=headers)

    async def scenario(destination: Path) -> Path:
        app = web.Application()
        app.router.add_get("/snapshot", flaky)
        runner, url = await _serve(app)
        try:
            return await download_snapshot([url], destination)
        finally:
            await runner.cleanup()

    got = run(scenario(tmp_path / "a.snapshot"))
    assert got.read_bytes() == body
    assert ranges[0] is None and ranges[1] == f"bytes={len(body) // 2}-"
    assert not (tmp_path / "a.snapshot.partial").exists()
    # a partial of block 0xaa left over; the peer now serves 0xbb: never spliced together
    (tmp_path / "b.snapshot.partial").write_bytes(body[:1000])
    (tmp_path / "b.snapshot.partial.block").write_text("0xaa")
    served_hash[0] = "0xbb"
    ranges.clear()
    got = run(scenario(tmp_path / "b.snapshot"))
    assert got.read_bytes() == body
    assert ranges[0] == "bytes=1000-" and ranges[1] is None  # refused, then from the start
