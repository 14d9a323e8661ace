"""The asynchronous client: the same calls as :class:`~khala.sdk.client.Client`, awaited."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from khala.primitives.crypto import Keypair
from khala.runtime.dispatch import RuntimeCall
from khala.runtime.modules.system.state import AccountInfo
from khala.sdk import core
from khala.sdk.backoff import Backoff
from khala.sdk.client import DEFAULT_WAIT_TIMEOUT_S, POLL_INTERVAL_S, Wait
from khala.sdk.errors import SdkError, SdkErrorCode
from khala.sdk.transport import DEFAULT_URL, AsyncHttpTransport, AsyncTransport
from khala.sdk.types import BlockInfo, Receipt


class AsyncClient:
    """Talks to a node over an :class:`AsyncTransport` (aiohttp by default)."""

    def __init__(self, url: str = DEFAULT_URL, *, transport: AsyncTransport | None = None) -> None:
        """Connect to the node at ``url``."""
        self.transport: AsyncTransport = transport or AsyncHttpTransport(url)
        self._genesis: bytes | None = None

    async def __aenter__(self) -> AsyncClient:
        """Use as ``async with AsyncClient(url) as client``."""
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the transport."""
        await self.close()

    async def close(self) -> None:
        """Release connections."""
        await self.transport.close()

    async def rpc(self, method: str, *params: Any) -> Any:
        """Make a raw JSON-RPC call."""
        return await self.transport.request(method, list(params))

    async def genesis_hash(self) -> bytes:
        """The chain's genesis hash (cached)."""
        if self._genesis is None:
            self._genesis = core.unhex(await self.rpc("chain_getBlockHash", 0), "genesis hash")
        return self._genesis

    async def versions(self) -> tuple[int, int]:
        """(spec_version, transaction_version) of the head's runtime.

        Read each time: a runtime upgrade changes them, and a transaction signed for the old
        ones is refused.
        """
        version = await self.rpc("state_getRuntimeVersion")
        return int(version["specVersion"]), int(version["transactionVersion"])

    async def block(self, at: int | bytes | None) -> BlockInfo:
        """A block by number or hash (the head when None)."""
        if isinstance(at, int):
            found = await self.rpc("chain_getBlockHash", at)
            if found is None:
                raise SdkError(SdkErrorCode.UNKNOWN_BLOCK, f"no block #{at} yet")
            block_hash = core.unhex(found, "block hash")
        elif at is None:
            block_hash = core.unhex(await self.rpc("chain_getBlockHash"), "block hash")
        else:
            block_hash = at
        value = await self.rpc("chain_getBlock", "0x" + block_hash.hex())
        if value is None:
            raise SdkError(SdkErrorCode.UNKNOWN_BLOCK, f"no block 0x{block_hash.hex()}")
        return core.block_from_json(block_hash, value)

    async def account(self, address: str | bytes) -> AccountInfo:
        """An account's nonce and balances at the head."""
        key = "0x" + core.account_key(core.account_id(address)).hex()
        return core.decode_account(await self.rpc("state_getStorage", key))

    async def next_nonce(self, address: str | bytes) -> int:
        """The nonce the account's next transaction should use."""
        return int(await self.rpc("system_accountNextIndex", "0x" + core.account_id(address).hex()))

    async def sign(
        self,
        pair: Keypair,
        call: RuntimeCall,
        *,
        nonce: int | None = None,
        tip: int = 0,
        immortal: bool = False,
    ) -> bytes:
        """Sign ``call`` for this chain, mortal unless ``immortal`` (see :meth:`Client.sign`)."""
        spec_version, transaction_version = await self.versions()
        era, era_hash = None, None
        if not immortal:
            number = int((await self.rpc("chain_getHeader"))["number"], 16)
            era = core.mortal_era(number)
            era_hash = bytes.fromhex((await self.rpc("chain_getBlockHash", number))[2:])
        return core.sign(
            pair,
            call,
            nonce=await self.next_nonce(pair.public_key) if nonce is None else nonce,
            tip=tip,
            genesis_hash=await self.genesis_hash(),
            spec_version=spec_version,
            transaction_version=transaction_version,
            era=era,
            era_block_hash=era_hash,
        )

    async def submit(
        self, raw: bytes, *, wait: Wait = "finalized", timeout_s: float = DEFAULT_WAIT_TIMEOUT_S
    ) -> Receipt:
        """Submit and optionally wait (see :meth:`Client.submit`)."""
        start = (await self.block(None)).number
        tx_hash = core.unhex(await self.rpc("author_submitExtrinsic", "0x" + raw.hex()), "tx hash")
        if wait == "none":
            return Receipt(tx_hash, None, None, None, None, [], None)
        return await self.wait_for(tx_hash, start, timeout_s=timeout_s)

    async def wait_until_reachable(
        self, on_retry: Callable[[float, SdkError], None] | None = None
    ) -> bytes:
        """Wait, with exponential backoff, until the node answers; return its genesis hash.

        Args:
            on_retry: Told each delay and why, so a service can say what it waits for.

        Raises:
            SdkError: Any error other than ``sdk.connection_failed`` (a wrong URL scheme, a
                node answering garbage) is final and raised at once.
        """
        backoff = Backoff()
        while True:
            try:
                return await self.genesis_hash()
            except SdkError as error:
                if error.code is not SdkErrorCode.CONNECTION_FAILED:
                    raise
                delay = backoff.next_delay()
                if on_retry is not None:
                    on_retry(delay, error)
                await asyncio.sleep(delay)

    async def wait_for(
        self, tx_hash: bytes, from_number: int, *, timeout_s: float = DEFAULT_WAIT_TIMEOUT_S
    ) -> Receipt:
        """Scan blocks from ``from_number`` until one includes ``tx_hash``."""
        deadline = time.monotonic() + timeout_s
        number = from_number
        while time.monotonic() < deadline:
            head = int((await self.rpc("chain_getHeader"))["number"], 16)
            while number <= head:
                block = await self.block(number)
                events = await self.rpc(
                    "state_getStorage", "0x" + core.EVENTS_KEY.hex(), "0x" + block.block_hash.hex()
                )
                receipt = core.receipt_from_block(tx_hash, block, events)
                if receipt is not None:
                    return receipt
                number += 1
            await asyncio.sleep(POLL_INTERVAL_S)
        raise SdkError(
            SdkErrorCode.TIMEOUT, f"transaction 0x{tx_hash.hex()} not included within {timeout_s}s"
        )

    async def transfer(
        self,
        pair: Keypair,
        dest: str | bytes,
        amount: int,
        *,
        keep_alive: bool = False,
        tip: int = 0,
        wait: Wait = "finalized",
        immortal: bool = False,
    ) -> Receipt:
        """Transfer ``amount`` units from ``pair`` to ``dest`` (mortal unless ``immortal``)."""
        call = core.transfer_call(core.account_id(dest), amount, keep_alive=keep_alive)
        return await self.submit(await self.sign(pair, call, tip=tip, immortal=immortal), wait=wait)
