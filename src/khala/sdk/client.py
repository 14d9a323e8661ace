"""The synchronous client."""

from __future__ import annotations

import time
from typing import Any, Literal

from khala.primitives.crypto import Keypair
from khala.primitives.hashing import blake2_256
from khala.runtime.dispatch import RuntimeCall
from khala.runtime.modules.registry.state import WORKERS
from khala.runtime.modules.registry.types import WorkerInfo
from khala.runtime.modules.system.state import AccountInfo
from khala.sdk import core
from khala.sdk.errors import SdkError, SdkErrorCode
from khala.sdk.transport import DEFAULT_URL, HttpTransport, Transport
from khala.sdk.types import BlockInfo, Receipt

Wait = Literal["none", "in-block", "finalized"]
"""How long ``submit``-style calls wait: not at all, for a block, or for finality."""
DEFAULT_WAIT_TIMEOUT_S = 60.0
"""How long to wait for inclusion before giving up."""
POLL_INTERVAL_S = 0.1
"""How often to look for new blocks while waiting."""


class Client:
    """Talks to a node over a :class:`Transport` (HTTP by default)."""

    def __init__(self, url: str = DEFAULT_URL, *, transport: Transport | None = None) -> None:
        """Connect to the node at ``url`` (nothing is sent until the first call)."""
        self.transport: Transport = transport or HttpTransport(url)
        self._genesis: bytes | None = None

    def rpc(self, method: str, *params: Any) -> Any:
        """Make a raw JSON-RPC call."""
        return self.transport.request(method, list(params))

    def genesis_hash(self) -> bytes:
        """The chain's genesis hash (cached)."""
        if self._genesis is None:
            self._genesis = core.unhex(self.rpc("chain_getBlockHash", 0), "genesis hash")
        return self._genesis

    def versions(self) -> tuple[int, int]:
        """(spec_version, transaction_version) of the head's runtime.

        Read each time: a runtime upgrade changes them, and a transaction signed for the old
        ones is refused.
        """
        version = self.rpc("state_getRuntimeVersion")
        return int(version["specVersion"]), int(version["transactionVersion"])

    def head(self) -> BlockInfo:
        """The best block."""
        return self.block(None)

    def block(self, at: int | bytes | None) -> BlockInfo:
        """A block by number or hash (the head when None).

        Raises:
            SdkError: ``sdk.unknown_block`` when the node lacks it.
        """
        if isinstance(at, int):
            found = self.rpc("chain_getBlockHash", at)
            if found is None:
                raise SdkError(SdkErrorCode.UNKNOWN_BLOCK, f"no block #{at} yet")
            block_hash = core.unhex(found, "block hash")
        elif at is None:
            block_hash = core.unhex(self.rpc("chain_getBlockHash"), "block hash")
        else:
            block_hash = at
        value = self.rpc("chain_getBlock", "0x" + block_hash.hex())
        if value is None:
            raise SdkError(SdkErrorCode.UNKNOWN_BLOCK, f"no block 0x{block_hash.hex()}")
        return core.block_from_json(block_hash, value)

    def account(self, address: str | bytes, at: bytes | None = None) -> AccountInfo:
        """An account's nonce and balances."""
        key = "0x" + core.account_key(core.account_id(address)).hex()
        params: list[Any] = [key] if at is None else [key, "0x" + at.hex()]
        return core.decode_account(self.rpc("state_getStorage", *params))

    def workers(self) -> list[WorkerInfo]:
        """Every registered worker (Registry.Workers), in storage order."""
        prefix = "0x" + core.WORKERS_PREFIX.hex()
        found: list[WorkerInfo] = []
        start: str | None = None
        while True:
            keys = (
                self.rpc("state_getKeysPaged", prefix, 1000, start)
                if start
                else self.rpc("state_getKeysPaged", prefix, 1000)
            )
            for key in keys:
                found.append(core.decode_worker(self.rpc("state_getStorage", key)))
            if len(keys) < 1000:
                return found
            start = keys[-1]

    def worker(self, pubkey: bytes) -> WorkerInfo | None:
        """One registered worker, or None."""
        key = WORKERS.key_of(pubkey)
        raw = self.rpc("state_getStorage", "0x" + key.hex())
        return None if raw is None else core.decode_worker(raw)

    def next_nonce(self, address: str | bytes) -> int:
        """The nonce the account's next transaction should use."""
        return int(self.rpc("system_accountNextIndex", "0x" + core.account_id(address).hex()))

    def sign(
        self,
        pair: Keypair,
        call: RuntimeCall,
        *,
        nonce: int | None = None,
        tip: int = 0,
        immortal: bool = False,
    ) -> bytes:
        """Sign ``call`` for this chain (fetching the nonce when not given).

        Transactions are mortal: valid for :data:`core.MORTAL_PERIOD` blocks from the head, so
        an old copy cannot be replayed later. ``immortal=True`` opts out (replayable after the
        account is reaped and refunded).
        """
        spec_version, transaction_version = self.versions()
        era, era_hash = None, None
        if not immortal:
            number = int(self.rpc("chain_getHeader")["number"], 16)
            era, era_hash = (
                core.mortal_era(number),
                bytes.fromhex(self.rpc("chain_getBlockHash", number)[2:]),
            )
        return core.sign(
            pair,
            call,
            nonce=self.next_nonce(pair.public_key) if nonce is None else nonce,
            tip=tip,
            genesis_hash=self.genesis_hash(),
            spec_version=spec_version,
            transaction_version=transaction_version,
            era=era,
            era_block_hash=era_hash,
        )

    def submit(
        self, raw: bytes, *, wait: Wait = "finalized", timeout_s: float = DEFAULT_WAIT_TIMEOUT_S
    ) -> Receipt:
        """Submit a signed extrinsic and optionally wait for its block.

        Raises:
            SdkError: ``sdk.rpc_error`` when refused (code 1010 invalid, 1014 priority...),
                ``sdk.timeout`` when no block includes it in time.
        """
        start = self.head().number
        tx_hash = core.unhex(self.rpc("author_submitExtrinsic", "0x" + raw.hex()), "tx hash")
        if wait == "none":
            return Receipt(tx_hash, None, None, None, None, [], None)
        return self.wait_for(tx_hash, start, timeout_s=timeout_s)

    def wait_for(
        self, tx_hash: bytes, from_number: int, *, timeout_s: float = DEFAULT_WAIT_TIMEOUT_S
    ) -> Receipt:
        """Scan blocks from ``from_number`` until one includes ``tx_hash``.

        The dev engine finalizes each block as it is authored, so inclusion is finality.
        """
        deadline = time.monotonic() + timeout_s
        number = from_number
        while time.monotonic() < deadline:
            head = int(self.rpc("chain_getHeader")["number"], 16)
            while number <= head:
                block = self.block(number)
                events = self.rpc(
                    "state_getStorage", "0x" + core.EVENTS_KEY.hex(), "0x" + block.block_hash.hex()
                )
                receipt = core.receipt_from_block(tx_hash, block, events)
                if receipt is not None:
                    return receipt
                number += 1
            time.sleep(POLL_INTERVAL_S)
        raise SdkError(
            SdkErrorCode.TIMEOUT, f"transaction 0x{tx_hash.hex()} not included within {timeout_s}s"
        )

    def transfer(
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
        return self.submit(self.sign(pair, call, tip=tip, immortal=immortal), wait=wait)

    @staticmethod
    def tx_hash(raw: bytes) -> bytes:
        """The id a node gives an extrinsic."""
        return blake2_256(raw)
