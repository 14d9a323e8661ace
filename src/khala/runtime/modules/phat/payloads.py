"""Payloads of the phat contracts topics: cluster operations, keys, results, contract events."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U64, ScaleEnum, variant
from khala.runtime.modules.phat.types import ClusterInfo, PublicKeys
from khala.runtime.types import AccountId, Balance


@dataclass(frozen=True, slots=True)
class WorkerIdentity:
    """A cluster worker's keys."""

    pubkey: H256
    """Its identity key."""
    ecdh: H256
    """Its x25519 key: the gatekeepers encrypt the cluster key to it."""


class ClusterOperation(ScaleEnum):
    """What the chain tells a cluster's workers, in block order."""


@variant(0)
@dataclass(frozen=True, slots=True)
class ClusterCreated(ClusterOperation):
    """A new cluster and its first workers."""

    cluster: H256
    """The cluster."""
    info: ClusterInfo
    """Its settings."""
    workers: list[WorkerIdentity]
    """Its workers."""


@variant(1)
@dataclass(frozen=True, slots=True)
class CodeUploaded(ClusterOperation):
    """Code for the cluster (its hash is blake2_256 of ``code``)."""

    cluster: H256
    """The cluster."""
    uploader: AccountId
    """Who uploaded it."""
    code: bytes
    """The wasm."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Deposited(ClusterOperation):
    """PHA moved into the cluster for an account (pays gas and storage deposits there)."""

    cluster: H256
    """The cluster."""
    account: AccountId
    """Whose cluster balance grows."""
    amount: Balance
    """How much."""


@variant(3)
@dataclass(frozen=True, slots=True)
class InstantiateRequest(ClusterOperation):
    """Run a constructor."""

    cluster: H256
    """The cluster."""
    contract: H256
    """The address the chain computed: blake2_256(deployer ‖ code_hash ‖ cluster ‖ salt)."""
    deployer: AccountId
    """Who pays and deploys."""
    code_hash: H256
    """The code."""
    data: bytes
    """Constructor call data (selector ‖ arguments)."""
    salt: bytes
    """Salt of the address."""
    transfer: Balance
    """Value for the new contract, from the deployer's cluster balance."""
    gas_limit: U64
    """Gas for the constructor."""
    storage_deposit_limit: Balance | None
    """Most storage deposit the deployer pays."""


@variant(4)
@dataclass(frozen=True, slots=True)
class Command(ClusterOperation):
    """A user's command, encrypted to the contract's ECDH key."""

    cluster: H256
    """The contract's cluster."""
    contract: H256
    """The contract."""
    sender: AccountId
    """The account that signed the extrinsic: the contract's caller."""
    payload: bytes
    """An envelope (``khala.primitives.crypto.envelope``) of the SCALE ``CommandBody``."""


@variant(5)
@dataclass(frozen=True, slots=True)
class WorkerAdded(ClusterOperation):
    """A worker joined the cluster."""

    cluster: H256
    """The cluster."""
    worker: WorkerIdentity
    """The worker."""


@variant(6)
@dataclass(frozen=True, slots=True)
class WorkerRemoved(ClusterOperation):
    """A worker left the cluster."""

    cluster: H256
    """The cluster."""
    worker: H256
    """Its identity key."""


@variant(7)
@dataclass(frozen=True, slots=True)
class ClusterDestroyed(ClusterOperation):
    """The cluster is gone; its workers drop its state."""

    cluster: H256
    """The cluster."""


@dataclass(frozen=True, slots=True)
class CommandBody:
    """What a command envelope holds (encrypted: only the cluster's workers read it)."""

    data: bytes
    """Message call data (selector ‖ arguments)."""
    value: Balance
    """Value sent with the call, from the sender's cluster balance."""
    gas_limit: U64
    """Gas for the call."""
    storage_deposit_limit: Balance | None
    """Most storage deposit the sender pays."""
    nonce: H256
    """Random bytes making two identical commands distinct (and their envelopes too)."""


@dataclass(frozen=True, slots=True)
class ClusterKeyPublication:
    """The gatekeepers publish a cluster's public keys."""

    cluster: H256
    """The cluster."""
    keys: PublicKeys
    """Its keys."""


@dataclass(frozen=True, slots=True)
class ContractKeyPublication:
    """The gatekeepers publish a contract's public keys."""

    contract: H256
    """The contract."""
    cluster: H256
    """Its cluster."""
    keys: PublicKeys
    """Its keys."""


@dataclass(frozen=True, slots=True)
class ClusterKeyDistribution:
    """A cluster key encrypted to one worker."""

    cluster: H256
    """The cluster."""
    worker: H256
    """The worker's identity key."""
    envelope: bytes
    """The 32-byte cluster key, sealed to the worker's ECDH key by the master key's ECDH key."""


@dataclass(frozen=True, slots=True)
class InstantiationReport:
    """A cluster's result of a constructor (identical from every worker of the cluster)."""

    contract: H256
    """The contract."""
    ok: bool
    """Whether the constructor returned without reverting."""
    reason: str
    """Why not (an error code and message), empty on success."""


@dataclass(frozen=True, slots=True)
class ContractEventPayload:
    """An event a contract emitted while executing a command."""

    topics: list[H256]
    """Its topics."""
    data: bytes
    """Its data (decoded by the contract's metadata)."""
