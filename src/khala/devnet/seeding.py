"""Seeding a fresh devnet: the fair-launch timer, a pool with delegators, gatekeepers, workers.

Every step reads the chain first and acts only when its effect is missing, so a resumed devnet
(or a seeder restarted halfway) repeats nothing. Each pass does what it can and returns; the
service calls it every second until everything is in place:

1. the ``start-mining`` task a few blocks ahead (the fair launch, shown as a countdown);
2. //Bob's pool with a 10 % commission and a cap, in one ``batch_all``;
3. two delegators (//Eve, //Ferdie) contributing;
4. the first gatekeeper once it registered, the second once the master key exists;
5. every registered worker added to the pool, then started with 3,000 PHA once it has a
   benchmark score and mining is enabled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from khala.primitives.crypto import Keypair, keypair_from_uri
from khala.runtime.modules.computation.calls import SetMiningEnabled
from khala.runtime.modules.registry.calls import RegisterGatekeeper
from khala.runtime.modules.scheduler.calls import ScheduleNamed
from khala.runtime.modules.scheduler.types import task_id
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.utility.calls import BatchAll
from khala.sdk import Client
from khala.sdk.mining import mining_start_block, overview, session_status
from khala.sdk.pools import (
    AddWorker,
    Contribute,
    Create,
    SetCap,
    SetCommission,
    StartComputing,
    pool,
    pool_count,
    positions,
)

PHA = 10**12
LAUNCH_AFTER_BLOCKS = 15
"""The fair launch is scheduled this many blocks after the devnet's first start."""
COMMISSION_PPM = 100_000
"""The pool's commission: 10 %."""
POOL_CAP = 1_000_000 * PHA
"""The pool's cap."""
WORKER_STAKE = 3_000 * PHA
"""Each worker's stake."""
DELEGATIONS = (("//Eve", 20_000 * PHA), ("//Ferdie", 15_000 * PHA))
"""The two delegators and what they contribute."""
LAUNCH_TASK = "start-mining"
"""The scheduler task of the fair launch."""


@dataclass
class Seeder:
    """Drives a devnet to its seeded state, one pass at a time."""

    client: Client
    """The node."""
    pubkeys: Callable[[], dict[str, bytes]]
    """Worker name -> identity public key, for the workers that answer."""
    gatekeepers: tuple[str, ...]
    """Which workers are gatekeepers (in registration order)."""
    done: list[str] = field(default_factory=list)
    """What is in place, in order (for the view)."""
    owner: Keypair = field(default_factory=lambda: keypair_from_uri("//Bob"))
    """The pool owner and the workers' operator."""
    sudo: Keypair = field(default_factory=lambda: keypair_from_uri("//Alice"))
    """The dev chain's sudo key."""
    pool_id: int | None = None
    """The devnet's pool, once it exists."""

    def _note(self, step: str) -> None:
        if step not in self.done:
            self.done.append(step)

    def _submit(self, pair: Keypair, call: Any) -> None:
        receipt = self.client.submit(self.client.sign(pair, call), wait="finalized")
        if receipt.success is False:
            raise SeedingError(f"{type(call).__name__} failed: {receipt.error}")

    def seeded(self) -> bool:
        """Whether every step is done (workers computing)."""
        return "workers computing" in self.done

    def step(self) -> None:
        """One pass: do whatever is missing and possible now."""
        client = self.client
        facts = overview(client)
        if not facts.enabled and mining_start_block(client) is None:
            at = client.head().number + LAUNCH_AFTER_BLOCKS
            name = task_id(LAUNCH_TASK) or b""
            self._submit(self.sudo, Sudo(ScheduleNamed(name, at, None, 0, SetMiningEnabled(True))))
        self._note("launch scheduled")
        pid = self._pool()
        self._delegate(pid)
        keys = self.pubkeys()
        registered = {bytes(info.pubkey) for info in client.workers()}
        self._gatekeepers(keys, registered, facts.master_pubkey is not None, facts.gatekeepers)
        self._workers(pid, keys, registered, facts.enabled)

    def _pool(self) -> int:
        owner = self.owner.public_key
        for pid in range(pool_count(self.client)):
            found = pool(self.client, pid)
            if found is not None and bytes(found.owner) == owner:
                self._note("pool created")
                self.pool_id = pid
                return pid
        pid = pool_count(self.client)
        calls = [Create(), SetCommission(pid, COMMISSION_PPM), SetCap(pid, POOL_CAP)]
        self._submit(self.owner, BatchAll(calls))
        self._note("pool created")
        self.pool_id = pid
        return pid

    def _delegate(self, pid: int) -> None:
        for uri, amount in DELEGATIONS:
            pair = keypair_from_uri(uri)
            if not any(p.pid == pid for p in positions(self.client, pair.public_key)):
                self._submit(pair, Contribute(pid, amount))
        self._note("delegators in")

    def _gatekeepers(
        self, keys: dict[str, bytes], registered: set[bytes], master: bool, current: list[bytes]
    ) -> None:
        for position, name in enumerate(self.gatekeepers):
            key = keys.get(name)
            if key is None or key not in registered or key in current:
                continue
            if position > 0 and not master:
                return  # the others join once the first has published the master key
            self._submit(self.sudo, Sudo(RegisterGatekeeper(key)))
            return
        if len(current) == len(self.gatekeepers):
            self._note("gatekeepers registered")

    def _workers(
        self, pid: int, keys: dict[str, bytes], registered: set[bytes], enabled: bool
    ) -> None:
        miners = {name: key for name, key in keys.items() if name not in self.gatekeepers}
        info = pool(self.client, pid)
        if info is None:
            return
        in_pool = {bytes(key) for key in info.workers}
        missing = [
            AddWorker(pid, key)
            for key in miners.values()
            if key in registered and key not in in_pool
        ]
        if missing:
            self._submit(self.owner, BatchAll(missing))
            return
        if len(in_pool) < len(miners):
            return
        self._note("workers in the pool")
        if not enabled:
            return
        to_start = []
        for key in miners.values():
            status = session_status(self.client, key).to_json()
            if status["state"] == "Ready" and status["score"]:
                to_start.append(StartComputing(pid, key, WORKER_STAKE))
        if to_start:
            self._submit(self.owner, BatchAll(to_start))
            return
        states = {session_status(self.client, key).to_json()["state"] for key in miners.values()}
        if states and states <= {"WorkerIdle", "WorkerUnresponsive"}:
            self._note("workers computing")


class SeedingError(Exception):
    """A seeding transaction failed (the step is retried on the next pass)."""
