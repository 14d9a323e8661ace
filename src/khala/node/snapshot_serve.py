"""Serving snapshots to joining nodes: ``GET /snapshot`` on the RPC port.

A node joining a chain needs a recent finalized state; any running node hands out its own
(``khala node --from-snapshot http://PEER:9944``). The snapshot is exported on demand in a
worker thread (the event loop keeps serving and the engine keeps building), kept as a file
under the base path and served from it. It is exported again only once the finalized block
moved :data:`REFRESH_BLOCKS` past it: a burst of joining nodes costs one export, and the
importer catches up the rest from the chain.

The file carries its own proofs (the genesis authority proof, set changes, justification,
checksum): the importer trusts nothing about the peer it came from.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from functools import partial
from pathlib import Path

import structlog
from aiohttp import web

from khala.errors import KhalaError
from khala.node.chain import Chain
from khala.node.snapshot_ops import SnapshotSummary, chain_genesis_proof, export_chain_snapshot
from khala.primitives.trie import TrieError
from khala.runtime.genesis import GenesisConfig
from khala.snapshot.download import HASH_HEADER, NUMBER_HEADER, SNAPSHOT_PATH

log = structlog.get_logger("khala.node.snapshots")

REFRESH_BLOCKS = 256
"""Finalized blocks after which a served snapshot is exported anew: the state pruning
window's default, so an importer never starts further behind than a node keeps states."""


class SnapshotService:
    """Exports (at most one at a time) and serves the node's finalized snapshot."""

    def __init__(
        self,
        chain: Chain,
        genesis: GenesisConfig,
        directory: Path,
        finalized_number: Callable[[], int],
        refresh_blocks: int = REFRESH_BLOCKS,
    ) -> None:
        """Serve ``chain``'s snapshots from files under ``directory`` (created on demand)."""
        self.chain = chain
        self.genesis = genesis
        self.directory = directory
        self.finalized_number = finalized_number
        self.refresh_blocks = refresh_blocks
        self.current: tuple[Path, SnapshotSummary] | None = None
        self._exporting = asyncio.Lock()
        self._genesis_proof: list[bytes] | None = None

    def install(self, app: web.Application) -> None:
        """Add ``GET /snapshot`` (and HEAD) to ``app``."""
        app.router.add_get(SNAPSHOT_PATH, self.handle)

    async def latest(self) -> tuple[Path, SnapshotSummary]:
        """The served snapshot, exported first when there is none or it is too old.

        Raises:
            KhalaError: When the export fails (the state pruned meanwhile, no justification).
        """
        async with self._exporting:
            current = self.current
            fresh = current is not None and (
                current[1].number + self.refresh_blocks > self.finalized_number()
            )
            if current is not None and fresh and current[0].exists():
                return current
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"finalized-{self.finalized_number()}.snapshot"
            log.info("exporting a snapshot for joining nodes", path=str(path))
            if self._genesis_proof is None:  # once: it may rebuild the genesis state
                self._genesis_proof = await asyncio.to_thread(
                    chain_genesis_proof, self.chain, self.genesis
                )
            summary = await asyncio.to_thread(
                partial(export_chain_snapshot, proof=self._genesis_proof),
                self.chain,
                self.genesis,
                path,
            )
            final = path.with_name(f"finalized-{summary.number}.snapshot")
            path.replace(final)
            for old in self.directory.glob("finalized-*.snapshot"):
                if old != final:
                    with contextlib.suppress(OSError):
                        old.unlink()
            log.info("snapshot ready", number=summary.number, bytes=summary.bytes)
            self.current = (final, summary)
            return self.current

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer ``GET /snapshot`` with the file, or 503 with the reason it cannot be made."""
        try:
            path, summary = await self.latest()
        except (KhalaError, OSError) as error:
            reason = error.message if isinstance(error, KhalaError) else str(error)
            if isinstance(error, TrieError):
                reason = f"the state was pruned during the export ({reason}); ask again"
            log.warning("snapshot export failed", error=reason)
            return web.json_response({"error": reason}, status=503)
        headers = {
            NUMBER_HEADER: str(summary.number),
            HASH_HEADER: "0x" + summary.block_hash.hex(),
            "Content-Disposition": f'attachment; filename="{path.name}"',
        }
        return web.FileResponse(path, headers=headers)

    def close(self) -> None:
        """Delete the exported files (a memory node's directory is temporary)."""
        for old in self.directory.glob("finalized-*.snapshot*"):
            with contextlib.suppress(OSError):
                old.unlink()
