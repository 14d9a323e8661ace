"""The phat contracts module: clusters, code, instantiation, keys, results, commands, events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from khala.primitives.crypto import KeyScheme, keypair_from_seed
from khala.primitives.crypto.keys import Keypair
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import Err, decode, encode
from khala.runtime.dispatch import module_error_code
from khala.runtime.modules.balances.currency import free_balance
from khala.runtime.modules.mq import state as mq_state
from khala.runtime.modules.mq.calls import SyncOffchainMessage, signed_payload
from khala.runtime.modules.mq.events import MessageHandlerFailed
from khala.runtime.modules.mq.types import (
    ClusterOrigin,
    ContractOrigin,
    GatekeeperOrigin,
    Message,
    SignedMessage,
)
from khala.runtime.modules.phat import events, payloads
from khala.runtime.modules.phat import state as st
from khala.runtime.modules.phat.calls import (
    AddCluster,
    AddWorkerToCluster,
    AdjustStake,
    ClusterDestroy,
    InstantiateContract,
    PushContractMessage,
    RemoveWorkerFromCluster,
    TransferToCluster,
    UploadCode,
)
from khala.runtime.modules.phat.constants import (
    CLUSTER_KEY_TOPIC,
    CLUSTER_TOPIC,
    CONTRACT_EVENT_TOPIC,
    CONTRACT_KEY_TOPIC,
    INSTANTIATED_TOPIC,
    MAX_CODE_SIZE,
    MAX_COMMAND_SIZE,
)
from khala.runtime.modules.phat.ids import cluster_account, cluster_id, contract_id
from khala.runtime.modules.phat.types import ContractStatus, OnlyOwner, Public, PublicKeys
from khala.runtime.modules.sudo.events import Sudid
from khala.runtime.types import ModuleDispatchError
from tests.runtime.harness import PHA
from tests.runtime.test_mining_messages import MASTER, Mining
from tests.runtime.test_registry import ALICE, RELAYER, WORKER

CLUSTER_KEY = keypair_from_seed(KeyScheme.ED25519, b"\x31" * 32)
CONTRACT_KEY = keypair_from_seed(KeyScheme.ED25519, b"\x32" * 32)
CODE = b"\x00asm\x01\x00\x00\x00 pretend wasm"


class Phat(Mining):
    """A chain with a registered worker and a published master key."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path)
        self.publish_master()
        self.offchain: dict[Any, int] = {}

    def signed(
        self, sender: Any, topic: bytes, payload: Any, key: Keypair
    ) -> tuple[str | None, list[Any]]:
        sequence = self.offchain.get(sender, 0)
        self.offchain[sender] = sequence + 1
        message = Message(sender, topic, encode(payload))
        signed = SignedMessage(message, sequence, key.sign(signed_payload(message, sequence)))
        return self.submit(SyncOffchainMessage(signed))

    def root_error(self, call: Any) -> str | None:
        """Run ``call`` as root; return its error code, if it failed."""
        for event in self.root(call):
            if isinstance(event, Sudid) and isinstance(event.sudo_result, Err):
                error = event.sudo_result.error
                assert isinstance(error, ModuleDispatchError)
                return module_error_code(error.error.index, error.error.error[0])
        return None

    def cluster_ops(self) -> list[payloads.ClusterOperation]:
        outbound = mq_state.OUTBOUND.get(self.harness.state())
        return [
            decode(payloads.ClusterOperation, m.payload)  # type: ignore[type-abstract]
            for m in outbound
            if m.destination == CLUSTER_TOPIC
        ]

    def create(self, permission: Any = None, deposit: int = 0) -> bytes:
        call = AddCluster(
            RELAYER.public_key, permission or Public(), [WORKER.public_key], deposit, 1, 10, 1
        )
        assert self.root_error(call) is None
        return cluster_id(st.CLUSTER_COUNTER.get(self.harness.state()))

    def publish_cluster_key(self, cluster: bytes) -> tuple[str | None, list[Any]]:
        keys = PublicKeys(CLUSTER_KEY.public_key, b"\x0c" * 32)
        return self.signed(
            GatekeeperOrigin(),
            CLUSTER_KEY_TOPIC,
            payloads.ClusterKeyPublication(cluster, keys),
            MASTER,
        )

    def deploy(self, cluster: bytes, salt: bytes = b"s") -> bytes:
        assert self.submit(UploadCode(cluster, CODE))[0] is None
        call = InstantiateContract(
            blake2_256(CODE), b"\x9b\xae\x9d\x5e", salt, cluster, 0, 10**9, None, 0
        )
        assert self.submit(call)[0] is None
        return contract_id(RELAYER.public_key, blake2_256(CODE), cluster, salt)


@pytest.fixture
def chain(tmp_path: Path) -> Phat:
    return Phat(tmp_path)


def test_governance_creates_a_cluster_of_registered_workers(chain: Phat) -> None:
    before = free_balance(chain.harness.state(), RELAYER.public_key)
    evs = chain.root(
        AddCluster(RELAYER.public_key, Public(), [WORKER.public_key], 5 * PHA, 1, 10, 1)
    )
    cluster = cluster_id(1)
    assert events.ClusterCreated(cluster) in evs
    assert events.Transferred(cluster, RELAYER.public_key, 5 * PHA) in evs
    state = chain.harness.state()
    assert st.CLUSTER_WORKERS.get(state, cluster) == [WORKER.public_key]
    assert st.CLUSTER_BY_WORKERS.get(state, WORKER.public_key) == cluster
    assert free_balance(state, cluster_account(cluster)) == 5 * PHA
    assert free_balance(state, RELAYER.public_key) < before - 5 * PHA + PHA  # the fee is small
    created, deposited = chain.cluster_ops()
    assert isinstance(created, payloads.ClusterCreated)
    assert [bytes(w.ecdh) for w in created.workers] == [b"\x09" * 32]  # the worker's ECDH key
    assert deposited == payloads.Deposited(cluster, RELAYER.public_key, 5 * PHA)


@pytest.mark.parametrize(
    ("workers", "code"),
    [([], "phat.no_worker_specified"), ([b"\x01" * 32], "phat.worker_not_found")],
)
def test_a_cluster_needs_registered_workers(chain: Phat, workers: list[bytes], code: str) -> None:
    assert chain.root_error(AddCluster(RELAYER.public_key, Public(), workers, 0, 1, 0, 0)) == code
    assert st.CLUSTER_COUNTER.get(chain.harness.state()) == 0


def test_only_governance_creates_clusters_and_a_worker_serves_one(chain: Phat) -> None:
    error, _ = chain.submit(
        AddCluster(RELAYER.public_key, Public(), [WORKER.public_key], 0, 1, 0, 0)
    )
    assert error == "BadOriginError"
    chain.create()
    again = AddCluster(RELAYER.public_key, Public(), [WORKER.public_key], 0, 1, 0, 0)
    assert chain.root_error(again) == "phat.worker_is_busy"
    assert st.CLUSTER_COUNTER.get(chain.harness.state()) == 1


def test_upload_and_instantiate(chain: Phat) -> None:
    cluster = chain.create()
    error, evs = chain.submit(UploadCode(cluster, CODE))
    assert (
        error is None and events.CodeUploaded(cluster, blake2_256(CODE), RELAYER.public_key) in evs
    )
    assert chain.cluster_ops()[-1] == payloads.CodeUploaded(cluster, RELAYER.public_key, CODE)
    call = InstantiateContract(blake2_256(CODE), b"ctor", b"salt", cluster, 7, 10**9, 500, 0)
    error, evs = chain.submit(call)
    contract = contract_id(RELAYER.public_key, blake2_256(CODE), cluster, b"salt")
    assert error is None and events.Instantiating(contract, cluster, RELAYER.public_key) in evs
    info = st.CONTRACTS.get(chain.harness.state(), contract)
    assert info is not None and info.status is ContractStatus.PENDING
    assert chain.cluster_ops()[-1] == payloads.InstantiateRequest(
        cluster, contract, RELAYER.public_key, blake2_256(CODE), b"ctor", b"salt", 7, 10**9, 500
    )
    assert chain.submit(call)[0] == "phat.duplicated_contract"
    missing = InstantiateContract(b"\x07" * 32, b"", b"x", cluster, 0, 1, None, 0)
    assert chain.submit(missing)[0] == "phat.code_not_found"
    assert chain.submit(UploadCode(cluster, bytes(MAX_CODE_SIZE + 1)))[0] == "phat.code_too_large"
    assert chain.submit(UploadCode(b"\x05" * 32, CODE))[0] == "phat.cluster_not_found"


def test_owner_only_clusters_refuse_others(chain: Phat) -> None:
    cluster = chain.create(OnlyOwner(ALICE.public_key))
    assert chain.submit(UploadCode(cluster, CODE))[0] == "phat.cluster_permission_denied"
    assert chain.submit(UploadCode(cluster, CODE), signer=ALICE)[0] is None


def test_keys_results_commands_and_events(chain: Phat) -> None:
    cluster = chain.create()
    contract = chain.deploy(cluster)
    report = payloads.InstantiationReport(contract, True, "")
    # Before the gatekeepers publish the cluster's key nobody can speak for the cluster.
    assert (
        chain.signed(ClusterOrigin(cluster), INSTANTIATED_TOPIC, report, CLUSTER_KEY)[0]
        == "mq.unknown_sender"
    )
    chain.offchain.clear()
    forged = chain.signed(
        GatekeeperOrigin(),
        CLUSTER_KEY_TOPIC,
        payloads.ClusterKeyPublication(cluster, PublicKeys(b"\x01" * 32, b"\x02" * 32)),
        CLUSTER_KEY,
    )
    assert forged[0] == "mq.bad_signature"
    chain.offchain.clear()
    error, evs = chain.publish_cluster_key(cluster)
    assert error is None and events.ClusterPubkeyAvailable(cluster, b"\x0c" * 32) in evs

    assert (
        chain.signed(ClusterOrigin(cluster), INSTANTIATED_TOPIC, report, CONTRACT_KEY)[0]
        == "mq.bad_signature"
    )
    chain.offchain[ClusterOrigin(cluster)] = 0
    error, evs = chain.signed(ClusterOrigin(cluster), INSTANTIATED_TOPIC, report, CLUSTER_KEY)
    assert error is None and events.Instantiated(contract, cluster, RELAYER.public_key) in evs
    info = st.CONTRACTS.get(chain.harness.state(), contract)
    assert info is not None and info.status is ContractStatus.INSTANTIATED
    _, evs = chain.signed(ClusterOrigin(cluster), INSTANTIATED_TOPIC, report, CLUSTER_KEY)
    assert any(isinstance(e, MessageHandlerFailed) for e in evs)  # reported twice: refused

    keys = PublicKeys(CONTRACT_KEY.public_key, b"\x0d" * 32)
    publication = payloads.ContractKeyPublication(contract, cluster, keys)
    error, evs = chain.signed(GatekeeperOrigin(), CONTRACT_KEY_TOPIC, publication, MASTER)
    assert error is None and events.ContractPubkeyAvailable(contract, cluster, b"\x0d" * 32) in evs
    assert st.CONTRACT_KEYS.get(chain.harness.state(), contract) == keys

    error, evs = chain.submit(PushContractMessage(contract, b"sealed command", 0))
    assert error is None and events.CommandPushed(contract, RELAYER.public_key) in evs
    assert chain.cluster_ops()[-1] == payloads.Command(
        cluster, contract, RELAYER.public_key, b"sealed command"
    )
    too_big = PushContractMessage(contract, bytes(MAX_COMMAND_SIZE + 1), 0)
    assert chain.submit(too_big)[0] == "phat.payload_too_large"
    assert chain.submit(PushContractMessage(b"\x44" * 32, b"x", 0))[0] == "phat.contract_not_found"

    emitted = payloads.ContractEventPayload([b"\x01" * 32], b"data")
    error, evs = chain.signed(ContractOrigin(contract), CONTRACT_EVENT_TOPIC, emitted, CONTRACT_KEY)
    assert error is None and events.ContractEmitted(contract, [b"\x01" * 32], b"data") in evs


def test_a_failed_instantiation_refuses_commands(chain: Phat) -> None:
    cluster = chain.create()
    contract = chain.deploy(cluster)
    chain.publish_cluster_key(cluster)
    report = payloads.InstantiationReport(contract, False, "contracts.trapped: unreachable")
    _, evs = chain.signed(ClusterOrigin(cluster), INSTANTIATED_TOPIC, report, CLUSTER_KEY)
    assert events.InstantiationFailed(contract, cluster, "contracts.trapped: unreachable") in evs
    assert chain.submit(PushContractMessage(contract, b"x", 0))[0] == "phat.instantiation_failed"


def test_a_command_with_a_deposit_funds_the_sender_first(chain: Phat) -> None:
    cluster = chain.create()
    contract = chain.deploy(cluster)
    error, _ = chain.submit(PushContractMessage(contract, b"cmd", 2 * PHA))
    assert error is None
    deposited, command = chain.cluster_ops()[-2:]
    assert deposited == payloads.Deposited(cluster, RELAYER.public_key, 2 * PHA)
    assert isinstance(command, payloads.Command)
    assert free_balance(chain.harness.state(), cluster_account(cluster)) == 2 * PHA


def test_transfer_to_cluster(chain: Phat) -> None:
    cluster = chain.create()
    error, evs = chain.submit(TransferToCluster(3 * PHA, cluster, ALICE.public_key))
    assert error is None and events.Transferred(cluster, ALICE.public_key, 3 * PHA) in evs
    assert chain.cluster_ops()[-1] == payloads.Deposited(cluster, ALICE.public_key, 3 * PHA)
    assert (
        chain.submit(TransferToCluster(PHA, b"\x09" * 32, ALICE.public_key))[0]
        == "phat.cluster_not_found"
    )


def test_workers_join_and_leave_by_owner_or_governance(chain: Phat) -> None:
    cluster = chain.create()
    assert chain.submit(RemoveWorkerFromCluster(WORKER.public_key, cluster), signer=ALICE)[0] == (
        "phat.cluster_permission_denied"
    )
    error, evs = chain.submit(RemoveWorkerFromCluster(WORKER.public_key, cluster))  # the owner
    assert error is None and events.WorkerRemovedFromCluster(WORKER.public_key, cluster) in evs
    assert st.CLUSTER_BY_WORKERS.get(chain.harness.state(), WORKER.public_key) is None
    assert (
        chain.submit(RemoveWorkerFromCluster(WORKER.public_key, cluster))[0]
        == "phat.worker_not_in_cluster"
    )
    evs = chain.root(AddWorkerToCluster(WORKER.public_key, cluster))
    assert events.WorkerAddedToCluster(WORKER.public_key, cluster) in evs
    assert isinstance(chain.cluster_ops()[-1], payloads.WorkerAdded)
    evs = chain.root(ClusterDestroy(cluster))
    assert events.ClusterDestroyed(cluster) in evs
    state = chain.harness.state()
    assert st.CLUSTERS.get(state, cluster) is None
    assert st.CLUSTER_BY_WORKERS.get(state, WORKER.public_key) is None


def test_stakes_on_a_contract_are_reserved_and_summed(chain: Phat) -> None:
    cluster = chain.create()
    contract = chain.deploy(cluster)
    free = free_balance(chain.harness.state(), ALICE.public_key)
    assert chain.submit(AdjustStake(contract, 10 * PHA), signer=ALICE)[0] is None
    assert chain.submit(AdjustStake(contract, 4 * PHA))[0] is None
    state = chain.harness.state()
    assert st.CONTRACT_TOTAL_STAKES.get(state, contract) == 14 * PHA
    assert free - free_balance(state, ALICE.public_key) >= 10 * PHA
    error, evs = chain.submit(AdjustStake(contract, 0), signer=ALICE)
    assert error is None and events.StakeChanged(contract, ALICE.public_key, 0) in evs
    state = chain.harness.state()
    assert st.CONTRACT_TOTAL_STAKES.get(state, contract) == 4 * PHA
    assert st.STAKES.get(state, ALICE.public_key, contract) == 0
    assert chain.submit(AdjustStake(b"\x01" * 32, PHA))[0] == "phat.contract_not_found"
    assert chain.submit(AdjustStake(contract, 10**30))[0] is not None  # more than the balance
