"""Blocks a node missed, fetched from its peers over HTTP and verified like any other.

etcd keeps a window of recent blocks. A node further behind (it was down for long, or it
started from an older snapshot) asks the other members' JSON-RPC for each missing block
(``chain_getBlockHash`` + ``chain_getBlock``: header, extrinsics, justification), executes it
on its own state (parent, seal, extrinsics, state root) and checks the justification against
the authority set of the block's parent state before storing it as final. A peer can delay a
node but not make it accept a block honest authorities did not sign.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp
import structlog

from khala.node.etcd.votes import FinalitySet
from khala.node.node import Node
from khala.primitives.finality import FinalityError, Justification, verify_justification
from khala.primitives.scale import ScaleError, codec_of
from khala.primitives.types import Header
from khala.runtime.block import BlockError
from khala.sdk.core import block_from_json, unhex
from khala.sdk.errors import SdkError, SdkErrorCode

log = structlog.get_logger("khala.cluster")

_JUSTIFICATION = codec_of(Justification)

FETCH_TIMEOUT_S = 10.0
"""Longest one block fetch may take before the next peer is asked."""


@dataclass(frozen=True, slots=True)
class PeerBlock:
    """A finalized block as a peer serves it."""

    header: Header
    """The sealed header."""
    extrinsics: list[bytes]
    """The body."""
    justification: bytes | None
    """The encoded justification (None: the peer has not finalized it)."""


FetchBlock = Callable[[str, int], Awaitable[PeerBlock | None]]
"""Asks the node at a URL for its block at a height (None: it has none)."""


class JsonRpcBlocks:
    """Fetches blocks with ``chain_getBlockHash`` and ``chain_getBlock`` over HTTP."""

    def __init__(self) -> None:
        """No connection until the first fetch."""
        self._session: aiohttp.ClientSession | None = None

    async def __call__(self, url: str, number: int) -> PeerBlock | None:
        """The peer's block at ``number``, or None.

        Raises:
            OSError, aiohttp.ClientError, TimeoutError: When the peer does not answer.
            SdkError: When it answers with something that is not a block.
        """
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_S)
            self._session = aiohttp.ClientSession(timeout=timeout)
        found = await self._call(url, "chain_getBlockHash", number)
        if not isinstance(found, str):
            return None
        value = await self._call(url, "chain_getBlock", found)
        if value is None:
            return None
        block = block_from_json(unhex(found, "block hash"), value)
        return PeerBlock(block.header, list(block.extrinsics), block.justification)

    async def _call(self, url: str, method: str, *params: object) -> object:
        if self._session is None:
            raise SdkError(SdkErrorCode.BAD_RESPONSE, "no session")  # __call__ opens it
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        async with self._session.post(url, json=body) as response:
            answer = await response.json(content_type=None)
        if not isinstance(answer, dict):
            raise SdkError(SdkErrorCode.BAD_RESPONSE, f"{method} answered {str(answer)[:80]}")
        return answer.get("result")

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None


async def catch_up_from_peers(
    node: Node,
    peers: list[str],
    fetch: FetchBlock,
    up_to: int,
    finality_set: Callable[[int], FinalitySet],
) -> int:
    """Import finalized blocks up to ``up_to`` from ``peers``; returns how many were imported.

    Each block is asked of the peers in turn until one serves it with a justification that
    verifies and a body that executes to its header's state root; the first height no peer
    serves ends the catch-up (the caller decides what that means).
    """
    imported = 0
    chain = node.chain
    while chain.head.number < up_to:
        number = chain.head.number + 1
        for url in peers:
            try:
                block = await fetch(url, number)
            except (OSError, aiohttp.ClientError, TimeoutError, SdkError) as error:
                log.warning("peer unreachable", peer=url, error=str(error))
                continue
            if block is None or block.justification is None:
                continue
            try:
                justification = _JUSTIFICATION.decode(block.justification)
                finality = finality_set(number)
                verify_justification(
                    justification,
                    block_hash=block.header.hash(),
                    number=number,
                    set_id=finality.set_id,
                    authorities=list(finality.authorities),
                )
                sealed = await asyncio.to_thread(chain.import_block, block.header, block.extrinsics)
            except (ScaleError, FinalityError, BlockError) as error:
                log.error("a peer served a block that does not verify", peer=url, error=str(error))
                continue
            node.adopt(sealed)
            node.finalize(sealed.header, block.justification)
            imported += 1
            break
        else:
            return imported
    return imported
