"""Block engines: when blocks are authored and how they become final.

:class:`BlockEngine` is the interface a clustered engine (DESIGN §13) will implement too. The
dev engine has one authority that authors a block every ``block_time`` (or, with instant seal,
as soon as a transaction arrives, at most one per minimum timestamp period) and finalizes it
at once with its own 1-of-1 justification.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

import structlog

from khala.node.node import Node

log = structlog.get_logger("khala.engine")


class BlockEngine(Protocol):
    """Decides when blocks are produced and finalized."""

    async def run(self) -> None:
        """Produce blocks until cancelled."""
        ...


class DevEngine:
    """One authority; a block per interval, or per transaction with instant seal."""

    def __init__(self, node: Node, *, block_time_s: float, instant_seal: bool) -> None:
        """Drive ``node``'s authoring."""
        self.node = node
        self.block_time_s = block_time_s
        self.instant_seal = instant_seal

    async def run(self) -> None:
        """Author blocks until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            if self.instant_seal:
                await self.node.transaction_arrived.wait()
                # Keep block timestamps at or behind the clock: at most one block per minimum
                # period, however fast transactions arrive.
                await asyncio.sleep(self.node.wait_before_next_block_ms() / 1000)
            else:
                interval = self.block_time_s
                await asyncio.sleep(interval - (loop.time() % interval))
            await self._author()
            await asyncio.sleep(0)

    async def _author(self) -> None:
        """Author one block (built off the event loop, so RPC reads are not stalled).

        A failure (a key that is not an authority, damaged storage) propagates and stops the
        node with its typed error instead of repeating every block.
        """
        authored = await self.node.author_next_async()
        built = authored.built
        log.info(
            "block authored",
            number=authored.header.number,
            hash="0x" + authored.block_hash.hex(),
            extrinsics=len(built.included),
            rejected=len(built.rejected),
            pool=len(self.node.pool),
        )
