"""Where a worker's ``--from-snapshot`` comes from: a file, running nodes, or its own node.

A worker with no checkpoint may start from a snapshot instead of replaying from genesis. The
snapshot can be a file, or be downloaded from nodes that serve ``GET /snapshot``: the URLs
given, or ``node``, the node this worker syncs from. Whatever the source, the worker then
verifies it completely (:func:`khala.snapshot.format.load_verified_state`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from khala.snapshot.download import download_snapshot, is_url
from khala.snapshot.format import SnapshotError, SnapshotErrorCode
from khala.worker import checkpoint

OWN_NODE = "node"
"""``--from-snapshot node``: download from the node named by ``--node``."""
DOWNLOADED = "downloaded.snapshot"
"""The downloaded file's name under the base path (deleted once loaded)."""


def http_url(node_url: str) -> str:
    """The HTTP URL of a node's RPC endpoint given as ``ws://`` or ``wss://`` (or HTTP)."""
    for scheme, replacement in (("ws://", "http://"), ("wss://", "https://")):
        if node_url.startswith(scheme):
            return replacement + node_url[len(scheme) :]
    return node_url


async def snapshot_file(
    source: str | None,
    *,
    node_url: str,
    base_path: Path,
    gatekeeper: bool,
    progress: Callable[[str], None] = lambda _: None,
) -> Path | None:
    """The snapshot file to start from, downloading it first when ``source`` names nodes.

    Nothing is downloaded when the worker has checkpoints (they win) or no source is given.

    Raises:
        SnapshotError: ``snapshot.gatekeeper`` for a gatekeeper, ``snapshot.download_failed``
            when no node serves one.
    """
    if source is None:
        return None
    remote = source == OWN_NODE or is_url(source)
    if not remote:
        return Path(source)
    if gatekeeper:
        raise SnapshotError(
            SnapshotErrorCode.GATEKEEPER,
            "a gatekeeper replays every block since genesis; start it without --from-snapshot",
        )
    if checkpoint.has_checkpoints(base_path):  # they win over any snapshot
        return None
    peers = [http_url(node_url)] if source == OWN_NODE else source.split(",")
    return await download_snapshot(
        [peer.strip() for peer in peers if peer.strip()], base_path / DOWNLOADED, progress
    )
