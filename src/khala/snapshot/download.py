"""Downloading a snapshot from a running node (``GET <rpc url>/snapshot``).

The peer is not trusted: the file is only written to disk here; the importer then verifies
everything in it (chain, set changes, justification, state root, checksum). Peers are tried
in turn until one serves a whole file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import aiohttp

from khala.snapshot.format import SnapshotError, SnapshotErrorCode

SNAPSHOT_PATH = "/snapshot"
"""Where nodes serve their finalized snapshot (see :mod:`khala.node.snapshot_serve`)."""
NUMBER_HEADER = "X-Khala-Snapshot-Number"
"""Response header naming the served snapshot's block number."""
HASH_HEADER = "X-Khala-Snapshot-Hash"
"""Response header naming the served snapshot's block hash (0x hex)."""
CHUNK_BYTES = 1 << 20
"""Bytes read from the response at a time."""
PROGRESS_BYTES = 64 << 20
"""Bytes between progress lines."""
CONNECT_TIMEOUT_S = 10.0
"""How long a peer may take to accept the connection."""
READ_TIMEOUT_S = 600.0
"""How long a peer may stay silent: the first request may wait for the peer to export a large
state (about a minute per million accounts)."""


def snapshot_url(peer: str) -> str:
    """The snapshot URL of a node's RPC URL (kept when it already names ``/snapshot``)."""
    peer = peer.rstrip("/")
    return peer if peer.endswith(SNAPSHOT_PATH) else peer + SNAPSHOT_PATH


def is_url(source: str) -> bool:
    """Whether ``--from-snapshot`` names peers (http/https URLs) rather than a file."""
    return source.startswith(("http://", "https://"))


async def download_snapshot(
    peers: list[str], destination: Path, progress: Callable[[str], None] = lambda _: None
) -> Path:
    """Fetch a snapshot from the first peer that serves one whole; returns ``destination``.

    Written to ``destination.partial`` and renamed once complete.

    Raises:
        SnapshotError: ``snapshot.download_failed`` naming each peer's failure.
    """
    failures: list[str] = []
    timeout = aiohttp.ClientTimeout(connect=CONNECT_TIMEOUT_S, sock_read=READ_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for peer in peers:
            url = snapshot_url(peer)
            try:
                await _fetch(session, url, destination, progress)
                return destination
            except (aiohttp.ClientError, TimeoutError, OSError, SnapshotError) as error:
                why = error.message if isinstance(error, SnapshotError) else repr(error)
                failures.append(f"{url}: {why}")
                progress(f"no snapshot from {url}: {why}")
    raise SnapshotError(
        SnapshotErrorCode.DOWNLOAD_FAILED,
        "no peer served a snapshot (" + "; ".join(failures) + "); check the URLs (a node's RPC "
        "URL, e.g. http://10.0.0.2:9944) or pass a snapshot file",
    )


async def _fetch(
    session: aiohttp.ClientSession,
    url: str,
    destination: Path,
    progress: Callable[[str], None],
) -> None:
    partial = destination.with_name(destination.name + ".partial")
    progress(f"asking {url} for a snapshot (the peer may first export one)")
    async with session.get(url) as response:
        if response.status != 200:
            detail = (await response.text())[:300]
            raise SnapshotError(
                SnapshotErrorCode.DOWNLOAD_FAILED, f"HTTP {response.status} {detail}".strip()
            )
        total = response.content_length
        number = response.headers.get(NUMBER_HEADER, "?")
        progress(f"downloading block #{number}'s snapshot ({total or 'unknown'} bytes)")
        received = 0
        reported = 0
        try:
            with partial.open("wb") as out:
                async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                    out.write(chunk)
                    received += len(chunk)
                    if received - reported >= PROGRESS_BYTES:
                        reported = received
                        share = f" ({100 * received // total}%)" if total else ""
                        progress(f"downloaded {received:,} bytes{share}")
            if total is not None and received != total:
                raise SnapshotError(
                    SnapshotErrorCode.DOWNLOAD_FAILED,
                    f"the transfer stopped at {received:,} of {total:,} bytes",
                )
        except BaseException:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise
    partial.replace(destination)
    progress(f"downloaded {received:,} bytes")
