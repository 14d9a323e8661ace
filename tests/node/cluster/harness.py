"""In-process clusters: nodes on memory stores sharing one in-memory etcd."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from khala.node.chain import Chain
from khala.node.etcd.engine import EtcdEngine
from khala.node.etcd.log import LogKeys
from khala.node.etcd.memory import MemoryEtcd
from khala.node.etcd.peers import PeerBlock
from khala.node.etcd.settings import ClusterSettings
from khala.node.node import Node
from khala.node.storage import MemoryChainStore
from khala.node.txpool import TransactionPool
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.runtime.genesis import dev_genesis
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from khala.sdk import core

NAMES = ("Alice", "Bob", "Charlie", "Dave")
SETTINGS = ClusterSettings(
    block_time_s=0.05, lease_ttl_s=1, poll_s=0.01, keep_blocks=8, housekeeping_every=4
)


class ScaledClock:
    """Chain time running 40 times faster than the wall clock (a 2 s block every 50 ms)."""

    def __init__(self) -> None:
        self.origin = time.monotonic()

    def now_ms(self) -> int:
        return 1_700_000_000_000 + int((time.monotonic() - self.origin) * 40_000)


@dataclass
class Member:
    """One node of the cluster, with its engine and the task running it."""

    name: str
    node: Node
    engine: EtcdEngine
    task: asyncio.Task[None] | None = None
    failure: BaseException | None = field(default=None)

    def start(self) -> None:
        async def run() -> None:
            try:
                await self.engine.run()
            except Exception as error:  # recorded for the test to inspect
                self.failure = error
                raise

        self.task = asyncio.create_task(run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(BaseException):  # cancellation or the recorded failure
                await self.task
            self.task = None


class Cluster:
    """``count`` authorities (//Alice, //Bob, ...) on a dev genesis with that many authorities."""

    def __init__(self, count: int, *, authorities: int | None = None) -> None:
        self.etcd = MemoryEtcd()
        self.clock = ScaledClock()
        self.genesis = dev_genesis(authorities=authorities or count)
        self.members: list[Member] = []
        self.fetched = 0
        self.engine_keys = LogKeys(Chain(MemoryChainStore(), self.genesis).genesis_hash)
        for name in NAMES[:count]:
            self.members.append(self._member(name))

    def _member(self, name: str) -> Member:
        node = Node(
            Chain(MemoryChainStore(), self.genesis),
            TransactionPool(),
            keypair_from_uri(f"//{name}", KeyScheme.ED25519),
            self.clock,
        )
        engine = EtcdEngine(
            node,
            self.etcd,
            rpc_url=f"mem://{name}",
            settings=SETTINGS,
            send=self._send,
            fetch=self._fetch,
        )
        return Member(name, node, engine)

    async def _send(self, url: str, transactions: list[bytes]) -> list[int]:
        target = next(member for member in self.members if url == f"mem://{member.name}")
        if target.task is None:
            raise OSError(f"{url} is down")
        for raw in transactions:
            try:
                target.node.submit(raw, relay=False)
            except Exception:  # noqa: S112 - already pooled or stale, as a real node answers
                continue
        return []

    async def _fetch(self, url: str, number: int) -> PeerBlock | None:
        target = next(member for member in self.members if url == f"mem://{member.name}")
        if target.task is None:
            raise OSError(f"{url} is down")
        self.fetched += 1
        store = target.node.chain.store
        block_hash = store.hash_at(number)
        if block_hash is None:
            return None
        header, body = store.header(block_hash), store.body(block_hash)
        assert header is not None and body is not None
        return PeerBlock(header, body, store.justification(block_hash))

    def add(self, name: str) -> Member:
        """A new member (not started) on the same genesis."""
        member = self._member(name)
        self.members.append(member)
        return member

    def start(self) -> None:
        for member in self.members:
            member.start()

    async def stop(self) -> None:
        for member in self.members:
            await member.stop()

    def leader(self) -> Member | None:
        return next((m for m in self.members if m.engine.term is not None), None)


async def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def transfer(sender: str, nonce: int, dest: bytes, genesis_hash: bytes) -> bytes:
    """A signed transfer of the existential deposit."""
    return core.sign(
        keypair_from_uri(f"//{sender}"),
        core.transfer_call(dest, EXISTENTIAL_DEPOSIT, keep_alive=False),
        nonce=nonce,
        tip=0,
        genesis_hash=genesis_hash,
        spec_version=SPEC_VERSION,
        transaction_version=TRANSACTION_VERSION,
    )
