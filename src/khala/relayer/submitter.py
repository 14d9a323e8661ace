"""Submitting transactions as the operator without nonce races.

The relayer signs registrations, endpoint updates and egress messages with one operator
account from several concurrent tasks. Each submission takes the next nonce, so signing and
handing the transaction to the pool happen under one lock; waiting for inclusion does not.
"""

from __future__ import annotations

import asyncio

from khala.primitives.crypto import Keypair
from khala.runtime.dispatch import RuntimeCall
from khala.sdk import AsyncClient, Receipt


class Submitter:
    """Serialises the operator's nonce use across tasks."""

    def __init__(self, operator: Keypair) -> None:
        """Submit as ``operator``."""
        self.operator = operator
        self._lock = asyncio.Lock()

    async def submit(self, client: AsyncClient, call: RuntimeCall, *, wait: bool) -> Receipt:
        """Sign and pool ``call``; when ``wait``, wait for the block that includes it."""
        async with self._lock:
            start = (await client.block(None)).number
            receipt = await client.submit(await client.sign(self.operator, call), wait="none")
        if not wait:
            return receipt
        return await client.wait_for(receipt.tx_hash, start)
