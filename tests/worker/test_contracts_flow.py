"""Confidential contracts end to end in memory: chain, gatekeeper, two cluster workers.

Governance creates a cluster of two workers; the gatekeeper publishes its key and seals it to
both; code is uploaded and instantiated; the cluster's signed result lands on chain; a user
encrypts a command to the contract's published key; both workers execute it and agree on the
state root; events land as ``ContractEmitted``; a restarted worker continues from its
companion; a worker outside the cluster learns nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from khala.contracts.abi import InkMetadata
from khala.contracts.pink_memory import MemoryPinkBackend
from khala.enclave.simulated import SimulatedEnclave
from khala.offchain.contract_keys import seal_command
from khala.offchain.routing import Delivery, Router
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import encode
from khala.runtime.modules.mq.calls import SyncOffchainMessage
from khala.runtime.modules.mq.state import OUTBOUND
from khala.runtime.modules.phat import events as phat_events
from khala.runtime.modules.phat import payloads
from khala.runtime.modules.phat import state as pst
from khala.runtime.modules.phat.calls import (
    AddCluster,
    AddWorkerToCluster,
    InstantiateContract,
    PushContractMessage,
    TransferToCluster,
    UploadCode,
)
from khala.runtime.modules.phat.ids import cluster_id, contract_id
from khala.runtime.modules.phat.types import ContractStatus, Public
from khala.runtime.modules.registry.calls import RegisterGatekeeper
from khala.runtime.modules.timestamp.state import now
from khala.runtime.table import RUNTIME
from khala.worker.contracts import ContractsHost
from khala.worker.identity import WorkerKeys
from khala.worker.state_transfer import (
    StateTransfer,
    TransferError,
    TransferErrorCode,
    sign_request,
    sign_statement,
)
from tests.contracts.conftest import ink
from tests.runtime.harness import PHA
from tests.worker.test_gatekeeper_host import GK1, GK2, MINER, OWNER, Net, _keys

A, B = MINER, GK2
"""The cluster's workers (registered workers that are not gatekeepers)."""
OUTSIDER = _keys(61)
C = _keys(71)
"""A registered worker added to the cluster later."""


class ContractNet(Net):
    """The gatekeeper net plus contract hosts, relaying everything they sign."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path, (C,))
        self.contract_hosts: dict[str, ContractsHost] = {}

    def contracts(self, name: str, keys: WorkerKeys, saved: bytes | None = None) -> ContractsHost:
        base = self.tmp / name
        base.mkdir(exist_ok=True)
        backend = SimulatedEnclave(base / "machine.key", self.tmp / "pki", lambda: 1)
        host = ContractsHost(keys, backend, base, MemoryPinkBackend(), saved=saved)
        self.contract_hosts[name] = host
        return host

    def block(self) -> None:
        super().block()
        state = self.harness.state()
        at = Delivery(self.harness.head.number, now(state) // 1000)
        messages = OUTBOUND.get(state)
        for host in self.contract_hosts.values():
            Router(RUNTIME.topics, host.routes()).deliver_all(at, messages)
            host.end_block(state, self.harness.head.number)
        relayed: set[bytes] = set()
        for host in self.contract_hosts.values():
            for _, signed in host.egress():
                for message in signed:
                    if encode(message) not in relayed:  # identical copies: relay one
                        relayed.add(encode(message))
                        self.extrinsic(SyncOffchainMessage(message))

    def blocks(self, count: int) -> None:
        for _ in range(count):
            self.block()


@pytest.fixture
def net(tmp_path: Path) -> ContractNet:
    network = ContractNet(tmp_path)
    network.host("gk1", GK1)
    network.root(RegisterGatekeeper(GK1.identity.public_key))
    network.blocks(4)
    return network


def _deploy(
    net: ContractNet, shared: Path, name: str, args: list[Any]
) -> tuple[bytes, bytes, InkMetadata]:
    wasm, metadata = ink(shared, name)
    cluster = cluster_id(1)
    net.extrinsic(UploadCode(cluster, wasm))
    data = metadata.encode_call(metadata.constructor("new"), args)
    net.extrinsic(InstantiateContract(blake2_256(wasm), data, b"", cluster, 0, 10**9, None, 0))
    net.blocks(4)
    return cluster, contract_id(OWNER.public_key, blake2_256(wasm), cluster, b""), metadata


def _command(net: ContractNet, contract: bytes, data: bytes) -> bytes:
    keys = pst.CONTRACT_KEYS.get(net.harness.state(), contract)
    assert keys is not None, "the contract's key is published"
    body = payloads.CommandBody(data, 0, 10**9, None, os.urandom(32))
    return seal_command(bytes(keys.ecdh), encode(body), os.urandom(44), contract)


def test_a_cluster_runs_encrypted_commands_and_agrees(
    net: ContractNet, shared: Path, tmp_path: Path
) -> None:
    first, second = net.contracts("a", A), net.contracts("b", B)
    outsider = net.contracts("x", OUTSIDER)
    workers = [A.identity.public_key, B.identity.public_key]
    net.root(AddCluster(OWNER.public_key, Public(), workers, 100 * PHA, 1, 0, 0))
    net.blocks(4)
    cluster = cluster_id(1)
    state = net.harness.state()
    assert pst.CLUSTER_KEYS.get(state, cluster) is not None
    assert first.key is not None and second.key is not None and first.key.seed == second.key.seed
    assert outsider.key is None and outsider.cluster is None

    cluster, contract, metadata = _deploy(net, shared, "v4_flipper", [False])
    info = pst.CONTRACTS.get(net.harness.state(), contract)
    assert info is not None and info.status is ContractStatus.INSTANTIATED
    assert any(isinstance(e, phat_events.Instantiated) for e in net.events)
    assert first.runtime is not None and second.runtime is not None
    assert first.runtime.root() == second.runtime.root()

    flip = metadata.encode_call(metadata.message("flip"), [])
    net.extrinsic(PushContractMessage(contract, _command(net, contract, flip), 0))
    net.blocks(2)
    assert first.runtime.root() == second.runtime.root()
    get = metadata.message("get")
    answer = first.query(contract, OWNER.public_key, metadata.encode_call(get, []), 5.0)
    assert metadata.decode_return(get, answer.data) == {"Ok": True}

    saved = first.snapshot()
    restarted = ContractsHost(A, first.backend, tmp_path / "a", MemoryPinkBackend(), saved=saved)
    assert restarted.runtime is not None and restarted.runtime.root() == first.runtime.root()
    assert restarted.status()["has_key"] is True


def test_contract_events_land_on_chain(net: ContractNet, shared: Path) -> None:
    net.contracts("a", A)
    net.root(AddCluster(OWNER.public_key, Public(), [A.identity.public_key], 0, 1, 0, 0))
    net.extrinsic(TransferToCluster(50 * PHA, cluster_id(1), OWNER.public_key))
    net.blocks(4)
    _, contract, metadata = _deploy(net, shared, "v4_erc20", [1000])
    emitted = [e for e in net.events if isinstance(e, phat_events.ContractEmitted)]
    assert [metadata.decode_event(e.topics, e.data).label for e in emitted] == ["Transfer"]
    to = b"\x77" * 32
    data = metadata.encode_call(metadata.message("transfer"), [to, 9])
    net.extrinsic(PushContractMessage(contract, _command(net, contract, data), 0))
    net.blocks(3)
    emitted = [e for e in net.events if isinstance(e, phat_events.ContractEmitted)]
    last = metadata.decode_event(emitted[-1].topics, emitted[-1].data)
    assert (last.label, last.fields["to"], last.fields["value"]) == ("Transfer", to, 9)
    assert all(bytes(e.contract) == contract for e in emitted)


def test_a_worker_added_later_receives_the_state_from_its_peers(
    net: ContractNet, shared: Path
) -> None:
    first = net.contracts("a", A)
    late = net.contracts("c", C)
    net.root(AddCluster(OWNER.public_key, Public(), [A.identity.public_key], 100 * PHA, 1, 0, 0))
    net.blocks(4)
    cluster, contract, metadata = _deploy(net, shared, "v4_flipper", [False])
    flip = metadata.encode_call(metadata.message("flip"), [])
    net.extrinsic(PushContractMessage(contract, _command(net, contract, flip), 0))
    net.blocks(2)
    net.root(AddWorkerToCluster(C.identity.public_key, cluster))
    net.blocks(3)
    assert late.key is not None and late.status()["needs_state_transfer"] is True
    assert late.runtime is None
    # A command while the newcomer waits: it is buffered, then replayed after the transfer.
    net.extrinsic(PushContractMessage(contract, _command(net, contract, flip), 0))
    net.blocks(2)

    chain = net.harness.state()
    members = late.members(chain)
    assert members == {A.identity.public_key, C.identity.public_key}
    now_ms = now(chain)
    request = sign_request(C.identity, cluster, now_ms)
    transfer = first.offer(request, chain, now_ms, os.urandom(44))
    info = pst.CLUSTERS.get(chain, cluster)
    assert info is not None

    # Someone else's request, or a state sealed for someone else, is refused.
    outsider = sign_request(OUTSIDER.identity, cluster, now_ms)
    with pytest.raises(TransferError) as caught:
        first.offer(outsider, chain, now_ms, os.urandom(44))
    assert caught.value.code is TransferErrorCode.NOT_A_MEMBER
    forged = StateTransfer(
        transfer.statement, transfer.envelope[:-1] + bytes([transfer.envelope[-1] ^ 1])
    )
    with pytest.raises(TransferError) as caught:
        late.install(forged, [], members, info)
    assert caught.value.code is TransferErrorCode.UNREADABLE
    lying = StateTransfer(
        sign_statement(A.identity, cluster, transfer.statement.statement.height, b"\x01" * 32),
        transfer.envelope,
    )
    with pytest.raises(TransferError) as caught:
        late.install(lying, [], members, info)
    assert caught.value.code is TransferErrorCode.ROOT_MISMATCH

    late.install(transfer, [], members, info)
    assert late.runtime is not None and first.runtime is not None
    assert late.runtime.root() == first.runtime.root()
    net.extrinsic(PushContractMessage(contract, _command(net, contract, flip), 0))
    net.blocks(2)
    assert late.runtime.root() == first.runtime.root()
    get = metadata.message("get")
    answer = late.query(contract, OWNER.public_key, metadata.encode_call(get, []), 5.0)
    assert metadata.decode_return(get, answer.data) == {"Ok": True}  # three flips
