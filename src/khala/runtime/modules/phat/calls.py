"""Phat contracts calls: clusters (governance), code, instantiation, deposits, commands."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.hashing import blake2_256
from khala.primitives.scale import H256, U64, ScaleEnum, encode, variant
from khala.runtime.context import (
    Context,
    CouncilOrigin,
    RootOrigin,
    ensure_governance,
    ensure_signed,
)
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.balances import currency
from khala.runtime.modules.mq.calls import send
from khala.runtime.modules.phat import events, payloads
from khala.runtime.modules.phat import state as st
from khala.runtime.modules.phat.constants import (
    CALL_WEIGHT,
    CLUSTER_TOPIC,
    MAX_CLUSTER_WORKERS,
    MAX_CODE_SIZE,
    MAX_COMMAND_SIZE,
    MAX_CONSTRUCTOR_DATA,
    MAX_SALT,
    PALLET_ID,
)
from khala.runtime.modules.phat.errors import PhatErrorCode, phat_error
from khala.runtime.modules.phat.ids import cluster_account, cluster_id, contract_id
from khala.runtime.modules.phat.types import (
    ClusterInfo,
    ClusterPermission,
    CodeInfo,
    ContractInfo,
    ContractStatus,
    OnlyOwner,
)
from khala.runtime.modules.registry.state import worker_info
from khala.runtime.state import State
from khala.runtime.types import AccountId, Balance

UPLOAD_WEIGHT = CALL_WEIGHT + 2_000 * MAX_CODE_SIZE
"""Weight (ps) of an upload: hashing and carrying up to 128 KiB (the length fee adds the rest)."""


class Call(ScaleEnum):
    """A phat contracts call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class AddCluster(Call):
    """Governance: create a cluster of registered workers (the owner funds it with ``deposit``)."""

    owner: AccountId
    """Who may change the cluster's workers (besides governance)."""
    permission: ClusterPermission
    """Who may deploy."""
    workers: list[H256]
    """Its first workers (registered, serving no other cluster)."""
    deposit: Balance
    """PHA moved from the owner into the cluster for the owner."""
    gas_price: Balance
    """Planck per unit of gas."""
    deposit_per_item: Balance
    """Storage deposit per contract storage entry."""
    deposit_per_byte: Balance
    """Storage deposit per byte of contract storage."""


@variant(1)
@dataclass(frozen=True, slots=True)
class UploadCode(Call):
    """Upload ink! wasm to a cluster (its workers check and compile it)."""

    cluster: H256
    """The cluster."""
    code: bytes
    """The wasm, at most 128 KiB."""


@variant(2)
@dataclass(frozen=True, slots=True)
class TransferToCluster(Call):
    """Move PHA into a cluster for ``dest`` (it pays gas and storage deposits there)."""

    amount: Balance
    """How much."""
    cluster: H256
    """The cluster."""
    dest: AccountId
    """Whose cluster balance grows."""


@variant(3)
@dataclass(frozen=True, slots=True)
class PushContractMessage(Call):
    """Send an encrypted command to a contract (with an optional deposit into its cluster)."""

    contract: H256
    """The contract."""
    payload: bytes
    """The command, encrypted to the contract's published ECDH key."""
    deposit: Balance
    """PHA moved into the cluster for the sender first (0 for none)."""


@variant(4)
@dataclass(frozen=True, slots=True)
class InstantiateContract(Call):
    """Instantiate uploaded code in a cluster; the address is known at once."""

    code_hash: H256
    """The code (uploaded to the cluster)."""
    data: bytes
    """Constructor call data."""
    salt: bytes
    """Salt of the address (at most 128 bytes)."""
    cluster: H256
    """The cluster."""
    transfer: Balance
    """Value for the contract, from the deployer's cluster balance."""
    gas_limit: U64
    """Gas for the constructor."""
    storage_deposit_limit: Balance | None
    """Most storage deposit the deployer pays."""
    deposit: Balance
    """PHA moved into the cluster for the deployer first (0 for none)."""


@variant(5)
@dataclass(frozen=True, slots=True)
class ClusterDestroy(Call):
    """Governance: remove a cluster (its workers are freed)."""

    cluster: H256
    """The cluster."""


@variant(6)
@dataclass(frozen=True, slots=True)
class AddWorkerToCluster(Call):
    """Governance or the cluster owner: add a registered worker."""

    worker: H256
    """The worker's identity key."""
    cluster: H256
    """The cluster."""


@variant(7)
@dataclass(frozen=True, slots=True)
class RemoveWorkerFromCluster(Call):
    """Governance or the cluster owner: remove a worker."""

    worker: H256
    """The worker's identity key."""
    cluster: H256
    """The cluster."""


@variant(8)
@dataclass(frozen=True, slots=True)
class AdjustStake(Call):
    """Set your stake on a contract (reserved PHA): workers share query capacity by stake."""

    contract: H256
    """The contract."""
    amount: Balance
    """Your stake after the call (0 withdraws it)."""


def _push(state: State, ctx: Context, operation: payloads.ClusterOperation) -> None:
    send(state, ctx, PALLET_ID, CLUSTER_TOPIC, encode(operation))


def _cluster(state: State, cluster: bytes) -> ClusterInfo:
    info = st.CLUSTERS.get(state, cluster)
    if info is None:
        raise phat_error(PhatErrorCode.CLUSTER_NOT_FOUND, f"no cluster 0x{cluster.hex()}")
    return info


def _may_deploy(info: ClusterInfo, who: bytes) -> None:
    if isinstance(info.permission, OnlyOwner) and bytes(info.permission.owner) != who:
        raise phat_error(
            PhatErrorCode.CLUSTER_PERMISSION_DENIED, "only the cluster's owner deploys"
        )


def _ensure_owner_or_governance(ctx: Context, info: ClusterInfo) -> None:
    if isinstance(ctx.origin, RootOrigin | CouncilOrigin):
        ensure_governance(ctx)
        return
    if ensure_signed(ctx) != bytes(info.owner):
        raise phat_error(
            PhatErrorCode.CLUSTER_PERMISSION_DENIED, "only the cluster's owner or governance"
        )


def _identity(state: State, worker: bytes) -> payloads.WorkerIdentity:
    info = worker_info(state, worker)
    if info is None:
        raise phat_error(
            PhatErrorCode.WORKER_NOT_FOUND, f"worker 0x{worker.hex()} is not registered"
        )
    return payloads.WorkerIdentity(worker, bytes(info.ecdh_pubkey))


def _fund(
    state: State, ctx: Context, source: bytes, cluster: bytes, dest: bytes, amount: int
) -> None:
    currency.transfer(state, ctx, source, cluster_account(cluster), amount, keep_alive=True)
    _push(state, ctx, payloads.Deposited(cluster, dest, amount))
    ctx.emit(events.Transferred(cluster, dest, amount))


def _add_cluster(state: State, ctx: Context, args: AddCluster) -> None:
    ensure_governance(ctx)
    if not args.workers:
        raise phat_error(PhatErrorCode.NO_WORKER_SPECIFIED, "a cluster needs at least one worker")
    if len(set(args.workers)) > MAX_CLUSTER_WORKERS:
        raise phat_error(PhatErrorCode.TOO_MANY_WORKERS, f"at most {MAX_CLUSTER_WORKERS} workers")
    workers = [_identity(state, bytes(worker)) for worker in dict.fromkeys(args.workers)]
    for worker in workers:
        if st.CLUSTER_BY_WORKERS.get(state, worker.pubkey) is not None:
            raise phat_error(
                PhatErrorCode.WORKER_IS_BUSY, f"worker 0x{worker.pubkey.hex()} serves a cluster"
            )
    counter = st.CLUSTER_COUNTER.get(state) + 1
    cluster = cluster_id(counter)
    info = ClusterInfo(
        args.owner, args.permission, args.gas_price, args.deposit_per_item, args.deposit_per_byte
    )
    st.CLUSTER_COUNTER.put(state, counter)
    st.CLUSTERS.insert(state, cluster, info)
    st.CLUSTER_WORKERS.insert(state, cluster, [worker.pubkey for worker in workers])
    for worker in workers:
        st.CLUSTER_BY_WORKERS.insert(state, worker.pubkey, cluster)
    ctx.emit(events.ClusterCreated(cluster))
    _push(state, ctx, payloads.ClusterCreated(cluster, info, workers))
    if args.deposit:
        _fund(state, ctx, bytes(args.owner), cluster, bytes(args.owner), args.deposit)


def _upload_code(state: State, ctx: Context, args: UploadCode) -> None:
    who = ensure_signed(ctx)
    _may_deploy(_cluster(state, args.cluster), who)
    if len(args.code) > MAX_CODE_SIZE:
        raise phat_error(
            PhatErrorCode.CODE_TOO_LARGE, f"{len(args.code)} bytes; at most {MAX_CODE_SIZE}"
        )
    code_hash = blake2_256(args.code)
    st.CODES.insert(state, args.cluster, code_hash, CodeInfo(who, len(args.code)))
    _push(state, ctx, payloads.CodeUploaded(args.cluster, who, args.code))
    ctx.emit(events.CodeUploaded(args.cluster, code_hash, who))


def _transfer_to_cluster(state: State, ctx: Context, args: TransferToCluster) -> None:
    who = ensure_signed(ctx)
    _cluster(state, args.cluster)
    _fund(state, ctx, who, args.cluster, bytes(args.dest), args.amount)


def _push_contract_message(state: State, ctx: Context, args: PushContractMessage) -> None:
    who = ensure_signed(ctx)
    contract = st.CONTRACTS.get(state, args.contract)
    if contract is None:
        raise phat_error(PhatErrorCode.CONTRACT_NOT_FOUND, f"no contract 0x{args.contract.hex()}")
    if contract.status is ContractStatus.FAILED:
        raise phat_error(PhatErrorCode.INSTANTIATION_FAILED, "the contract's constructor failed")
    if len(args.payload) > MAX_COMMAND_SIZE:
        raise phat_error(
            PhatErrorCode.PAYLOAD_TOO_LARGE, f"commands are at most {MAX_COMMAND_SIZE} bytes"
        )
    cluster = bytes(contract.cluster)
    if args.deposit:
        _fund(state, ctx, who, cluster, who, args.deposit)
    _push(state, ctx, payloads.Command(cluster, args.contract, who, args.payload))
    ctx.emit(events.CommandPushed(args.contract, who))


def _instantiate(state: State, ctx: Context, args: InstantiateContract) -> None:
    who = ensure_signed(ctx)
    _may_deploy(_cluster(state, args.cluster), who)
    if st.CODES.get(state, args.cluster, args.code_hash) is None:
        raise phat_error(PhatErrorCode.CODE_NOT_FOUND, "upload the code to the cluster first")
    if len(args.data) > MAX_CONSTRUCTOR_DATA or len(args.salt) > MAX_SALT:
        raise phat_error(
            PhatErrorCode.PAYLOAD_TOO_LARGE,
            f"constructor data is at most {MAX_CONSTRUCTOR_DATA} bytes, the salt {MAX_SALT}",
        )
    contract = contract_id(who, args.code_hash, args.cluster, args.salt)
    if st.CONTRACTS.get(state, contract) is not None:
        raise phat_error(
            PhatErrorCode.DUPLICATED_CONTRACT, f"0x{contract.hex()} exists; change the salt"
        )
    st.CONTRACTS.insert(
        state, contract, ContractInfo(who, args.cluster, args.code_hash, ContractStatus.PENDING)
    )
    if args.deposit:
        _fund(state, ctx, who, args.cluster, who, args.deposit)
    _push(
        state,
        ctx,
        payloads.InstantiateRequest(
            args.cluster,
            contract,
            who,
            args.code_hash,
            args.data,
            args.salt,
            args.transfer,
            args.gas_limit,
            args.storage_deposit_limit,
        ),
    )
    ctx.emit(events.Instantiating(contract, args.cluster, who))


def _cluster_destroy(state: State, ctx: Context, args: ClusterDestroy) -> None:
    ensure_governance(ctx)
    _cluster(state, args.cluster)
    for worker in st.CLUSTER_WORKERS.get(state, args.cluster):
        st.CLUSTER_BY_WORKERS.remove(state, worker)
    st.CLUSTER_WORKERS.remove(state, args.cluster)
    st.CLUSTERS.remove(state, args.cluster)
    _push(state, ctx, payloads.ClusterDestroyed(args.cluster))
    ctx.emit(events.ClusterDestroyed(args.cluster))


def _add_worker(state: State, ctx: Context, args: AddWorkerToCluster) -> None:
    _ensure_owner_or_governance(ctx, _cluster(state, args.cluster))
    identity = _identity(state, bytes(args.worker))
    if st.CLUSTER_BY_WORKERS.get(state, args.worker) is not None:
        raise phat_error(PhatErrorCode.WORKER_IS_BUSY, "the worker serves a cluster already")
    workers = st.CLUSTER_WORKERS.get(state, args.cluster)
    if len(workers) >= MAX_CLUSTER_WORKERS:
        raise phat_error(PhatErrorCode.TOO_MANY_WORKERS, f"at most {MAX_CLUSTER_WORKERS} workers")
    st.CLUSTER_WORKERS.insert(state, args.cluster, [*workers, args.worker])
    st.CLUSTER_BY_WORKERS.insert(state, args.worker, args.cluster)
    _push(state, ctx, payloads.WorkerAdded(args.cluster, identity))
    ctx.emit(events.WorkerAddedToCluster(args.worker, args.cluster))


def _remove_worker(state: State, ctx: Context, args: RemoveWorkerFromCluster) -> None:
    _ensure_owner_or_governance(ctx, _cluster(state, args.cluster))
    workers = st.CLUSTER_WORKERS.get(state, args.cluster)
    if args.worker not in workers:
        raise phat_error(
            PhatErrorCode.WORKER_NOT_IN_CLUSTER, "the worker does not serve the cluster"
        )
    st.CLUSTER_WORKERS.insert(state, args.cluster, [w for w in workers if w != args.worker])
    st.CLUSTER_BY_WORKERS.remove(state, args.worker)
    _push(state, ctx, payloads.WorkerRemoved(args.cluster, args.worker))
    ctx.emit(events.WorkerRemovedFromCluster(args.worker, args.cluster))


def _adjust_stake(state: State, ctx: Context, args: AdjustStake) -> None:
    who = ensure_signed(ctx)
    if st.CONTRACTS.get(state, args.contract) is None:
        raise phat_error(PhatErrorCode.CONTRACT_NOT_FOUND, f"no contract 0x{args.contract.hex()}")
    current = st.STAKES.get(state, who, args.contract)
    if args.amount > current:
        currency.reserve(state, ctx, who, args.amount - current)
    elif args.amount < current:
        currency.unreserve(state, ctx, who, current - args.amount)
    total = st.CONTRACT_TOTAL_STAKES.get(state, args.contract) - current + args.amount
    if args.amount:
        st.STAKES.insert(state, who, args.contract, args.amount)
    else:
        st.STAKES.remove(state, who, args.contract)
    st.CONTRACT_TOTAL_STAKES.insert(state, args.contract, total)
    ctx.emit(events.StakeChanged(args.contract, who, args.amount))


CALLS: dict[type, CallSpec] = {
    AddCluster: CallSpec(_add_cluster, CALL_WEIGHT),
    UploadCode: CallSpec(_upload_code, UPLOAD_WEIGHT),
    TransferToCluster: CallSpec(_transfer_to_cluster, CALL_WEIGHT),
    PushContractMessage: CallSpec(_push_contract_message, CALL_WEIGHT),
    InstantiateContract: CallSpec(_instantiate, CALL_WEIGHT),
    ClusterDestroy: CallSpec(_cluster_destroy, CALL_WEIGHT),
    AddWorkerToCluster: CallSpec(_add_worker, CALL_WEIGHT),
    RemoveWorkerFromCluster: CallSpec(_remove_worker, CALL_WEIGHT),
    AdjustStake: CallSpec(_adjust_stake, CALL_WEIGHT),
}
"""Handlers of phat contracts calls."""
