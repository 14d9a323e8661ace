"""Downloading a snapshot from a running node (``GET <rpc url>/snapshot``).

The peer is not trusted: the file is only written to disk here; the importer then verifies
everything in it (chain, set changes, justification, state root, checksum). Peers are tried
in turn until one serves a whole file.
"""

from __future__ import annotations

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
ATTEMPTS_PER_PEER = 3
"""Tries per peer while each one gets further than the last (a flaky link)."""
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

    Written to ``destination.partial`` and renamed once complete. A transfer that breaks off
    is resumed from where it stopped (HTTP ranges), from the same peer up to
    :data:`ATTEMPTS_PER_PEER` times and across restarts of the command, as long as the peer
    still serves the same block's snapshot (``X-Khala-Snapshot-Hash``); otherwise it starts
    over.

    Raises:
        SnapshotError: ``snapshot.download_failed`` naming each peer's failure.
    """
    failures: list[str] = []
    timeout = aiohttp.ClientTimeout(connect=CONNECT_TIMEOUT_S, sock_read=READ_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for peer in peers:
            url = snapshot_url(peer)
            for attempt in range(1, ATTEMPTS_PER_PEER + 1):
                before = _partial_size(destination)
                try:
                    await _fetch(session, url, destination, progress)
                    return destination
                except (aiohttp.ClientError, TimeoutError, OSError, SnapshotError) as error:
                    why = (
                        error.message
                        if isinstance(error, SnapshotError)
                        else str(error) or type(error).__name__
                    )
                    progressed = _partial_size(destination) != before  # further, or reset
                    if progressed and attempt < ATTEMPTS_PER_PEER:
                        progress(f"the transfer from {url} broke off ({why}); resuming")
                        continue
                    failures.append(f"{url}: {why}")
                    progress(f"no snapshot from {url}: {why}")
                    break
    raise SnapshotError(
        SnapshotErrorCode.DOWNLOAD_FAILED,
        "no peer served a snapshot (" + "; ".join(failures) + "); check the URLs (a node's RPC "
        "URL, e.g. http://10.0.0.2:9944) or pass a snapshot file; a partial download is "
        "resumed next time",
    )


def _partial(destination: Path) -> tuple[Path, Path]:
    """The partial file and the file naming the block hash it is a snapshot of."""
    return (
        destination.with_name(destination.name + ".partial"),
        destination.with_name(destination.name + ".partial.block"),
    )


def _partial_size(destination: Path) -> int:
    partial, _ = _partial(destination)
    return partial.stat().st_size if partial.exists() else 0


async def _fetch(
    session: aiohttp.ClientSession,
    url: str,
    destination: Path,
    progress: Callable[[str], None],
) -> None:
    partial, marker = _partial(destination)
    have = _partial_size(destination) if marker.exists() else 0
    of_block = marker.read_text().strip() if have else ""
    headers = {"Range": f"bytes={have}-"} if have else {}
    progress(f"asking {url} for a snapshot (the peer may first export one)")
    async with session.get(url, headers=headers) as response:
        served = response.headers.get(HASH_HEADER, "")
        if response.status == 206 and served == of_block:
            start = have
        elif response.status == 200:
            start = 0
        elif response.status in (206, 416):  # another block's snapshot now, or past its end
            partial.unlink(missing_ok=True)
            marker.unlink(missing_ok=True)
            raise SnapshotError(
                SnapshotErrorCode.DOWNLOAD_FAILED,
                f"HTTP {response.status}: the peer serves another snapshot now; starting over",
            )
        else:
            detail = (await response.text())[:300]
            raise SnapshotError(
                SnapshotErrorCode.DOWNLOAD_FAILED, f"HTTP {response.status} {detail}".strip()
            )
        marker.write_text(served)
        length = response.content_length
        total = None if length is None else start + length
        number = response.headers.get(NUMBER_HEADER, "?")
        what = "resuming" if start else "downloading"
        progress(f"{what} block #{number}'s snapshot at byte {start:,} of {total or '?'}")
        received = start
        reported = start
        with partial.open("ab" if start else "wb") as out:
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
    partial.replace(destination)
    marker.unlink(missing_ok=True)
    progress(f"downloaded {received:,} bytes")
