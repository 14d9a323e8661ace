"""Gatekeeper hosts in memory.

The first publishes the master key, a later one receives it, both number their intents
identically, and a restarted host continues from its companion state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from khala.enclave.backend import EnclaveError, EnclaveErrorCode
from khala.enclave.simulated import SimulatedEnclave
from khala.offchain.master_key import signing_key
from khala.primitives.crypto import KeyScheme, keypair_from_seed
from khala.primitives.crypto.envelope import x25519_public_key
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.calls import Bind, SetMiningEnabled, StartComputing
from khala.runtime.modules.computation.constants import SUBSIDY_ACCOUNT
from khala.runtime.modules.computation.events import WorkerEnterUnresponsive
from khala.runtime.modules.mq.calls import SyncOffchainMessage
from khala.runtime.modules.mq.state import OUTBOUND
from khala.runtime.modules.registry import state as rst
from khala.runtime.modules.registry.calls import RegisterGatekeeper, UnregisterGatekeeper
from khala.runtime.modules.registry.events import MasterPubkeyPublished
from khala.runtime.modules.registry.types import AttestationProvider, WorkerInfo
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.timestamp.state import now
from khala.worker.gatekeeper import GatekeeperHost
from khala.worker.identity import WorkerKeys
from khala.worker.send_queue import SendQueue
from tests.runtime.harness import PHA, Harness, ed

ALICE = ed("Alice")
OWNER = ed("Owner")


def _keys(n: int) -> WorkerKeys:
    return WorkerKeys(keypair_from_seed(KeyScheme.SR25519, bytes([n]) * 32), bytes([n + 1]) * 32)


GK1, GK2, MINER = _keys(31), _keys(41), _keys(51)


class Net:
    def __init__(self, tmp_path: Path, more: tuple[WorkerKeys, ...] = ()) -> None:
        extra = {}
        for keys, score in ((GK1, 1000), (GK2, 1000), (MINER, 1000), *((k, 1000) for k in more)):
            info = WorkerInfo(
                keys.identity.public_key, x25519_public_key(keys.ecdh_secret), 1, 0,
                OWNER.public_key, AttestationProvider.DCAP, 1, score, [],
            )  # fmt: skip
            extra[rst.WORKERS.key_of(keys.identity.public_key)] = rst.WORKERS.value_codec.encode(
                info
            )
        endowed = {
            ALICE.public_key: 1000 * PHA,
            OWNER.public_key: 100_000 * PHA,
            SUBSIDY_ACCOUNT: 1_000_000 * PHA,
        }
        self.harness = Harness(endowed, sudo=ALICE.public_key, genesis_extra=extra)
        self.tmp = tmp_path
        self.hosts: dict[str, GatekeeperHost] = {}
        self.queues: dict[str, SendQueue] = {}
        self.nonces: dict[bytes, int] = {}
        self.pending: list[bytes] = []
        self.events: list[Any] = []

    def host(self, name: str, keys: WorkerKeys, saved: bytes | None = None) -> GatekeeperHost:
        base = self.tmp / name
        base.mkdir(exist_ok=True)
        backend = SimulatedEnclave(base / "machine.key", self.tmp / "pki", lambda: 1)
        queue = self.queues.setdefault(name, SendQueue(keys.identity))
        self.hosts[name] = GatekeeperHost(keys, backend, base, queue, saved)
        return self.hosts[name]

    def extrinsic(self, call: Any, signer: Any = OWNER) -> None:
        nonce = self.nonces.get(signer.public_key, 0)
        self.nonces[signer.public_key] = nonce + 1
        self.pending.append(self.harness.sign(signer, call, nonce=nonce))

    def block(self) -> None:
        self.harness.block(self.pending)
        self.pending = []
        self.events.extend(self.harness.events())
        state = self.harness.state()
        number, time_s = self.harness.head.number, now(state) // 1000
        messages = OUTBOUND.get(state)
        for host in self.hosts.values():
            host.on_block(state, number, time_s, messages, True)
        for queue in self.queues.values():
            for signed in queue.messages():
                self.extrinsic(SyncOffchainMessage(signed))
            queue.purge(queue.next_sequence)  # relayed once; these tests never lose one
        for host in self.hosts.values():
            for signed in host.egress():
                self.extrinsic(SyncOffchainMessage(signed))
            host.queue.purge(host.queue.next_sequence)

    def root(self, call: Any) -> None:
        self.extrinsic(Sudo(call), ALICE)


def test_master_key_is_published_distributed_and_settles(tmp_path: Path) -> None:
    """GK1 publishes; GK2, registered later, receives the key; settlements land.

    The miner never answers: its offline report lands once, though both gatekeepers send it.
    """
    net = Net(tmp_path)
    first, second = net.host("gk1", GK1), net.host("gk2", GK2)
    net.root(RegisterGatekeeper(GK1.identity.public_key))
    for _ in range(4):
        net.block()
    published = rst.MASTER_PUBKEY.get(net.harness.state())
    assert published is not None and first.active and not second.active
    assert any(isinstance(e, MasterPubkeyPublished) for e in net.events)
    assert first.master is not None and signing_key(first.master).public_key == published

    net.root(RegisterGatekeeper(GK2.identity.public_key))
    for _ in range(4):
        net.block()
    assert second.active and second.master == first.master

    net.root(SetMiningEnabled(True))
    net.extrinsic(Bind(MINER.identity.public_key))
    net.extrinsic(StartComputing(MINER.identity.public_key, 3000 * PHA))
    for _ in range(3):
        net.block()
    assert first.queue.next_sequence == second.queue.next_sequence
    assert first.status()["computing_workers"] == 1
    # The miner never answers its challenges: both gatekeepers report it offline, once.
    for _ in range(60):
        net.block()
        if any(isinstance(e, WorkerEnterUnresponsive) for e in net.events):
            break
    offline = [e for e in net.events if isinstance(e, WorkerEnterUnresponsive)]
    session = cst.WORKER_BINDINGS.get(net.harness.state(), MINER.identity.public_key)
    assert [bytes(e.session) for e in offline] == [session]
    assert cst.LAST_SETTLED_BLOCK.get(net.harness.state()) > 0
    assert first.queue.next_sequence == second.queue.next_sequence

    net.root(UnregisterGatekeeper(GK2.identity.public_key))
    net.block()
    assert not second.active and second.egress() == [] and first.active


def test_restart_from_companion_keeps_numbering(tmp_path: Path) -> None:
    """A host rebuilt from its snapshot numbers later intents exactly like one that ran on."""
    net = Net(tmp_path)
    net.host("gk1", GK1)
    net.root(RegisterGatekeeper(GK1.identity.public_key))
    net.root(SetMiningEnabled(True))
    net.extrinsic(Bind(MINER.identity.public_key))
    net.extrinsic(StartComputing(MINER.identity.public_key, 3000 * PHA))
    for _ in range(5):
        net.block()
    saved = net.hosts["gk1"].snapshot()
    restored = GatekeeperHost(
        GK1, net.hosts["gk1"].backend, tmp_path / "gk1", net.queues["gk1"], saved
    )
    assert restored.queue.next_sequence == net.hosts["gk1"].queue.next_sequence
    assert restored.snapshot() == saved


def test_a_corrupt_sealed_master_key_refuses_to_start(tmp_path: Path) -> None:
    """A master key file that does not open is an error naming it, never silently dropped."""
    base = tmp_path / "gk1"
    base.mkdir()
    (base / "master-key.sealed").write_bytes(b"not sealed")
    backend = SimulatedEnclave(base / "machine.key", tmp_path / "pki", lambda: 1)
    with pytest.raises(EnclaveError) as caught:
        GatekeeperHost(GK1, backend, base, SendQueue(GK1.identity), None)
    assert caught.value.code is EnclaveErrorCode.SEAL_CORRUPT
    assert "master-key.sealed" in caught.value.message
