"""Phat contracts events (Phala's, plus uploads, failures, commands and contract events)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, ScaleEnum, variant
from khala.runtime.types import AccountId, Balance


class Event(ScaleEnum):
    """A phat contracts event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class ClusterCreated(Event):
    """Governance created a cluster."""

    cluster: H256
    """The cluster id."""


@variant(1)
@dataclass(frozen=True, slots=True)
class ClusterPubkeyAvailable(Event):
    """The gatekeepers published the cluster's key."""

    cluster: H256
    """The cluster."""
    pubkey: H256
    """Its x25519 key."""


@variant(2)
@dataclass(frozen=True, slots=True)
class CodeUploaded(Event):
    """Code was uploaded to a cluster."""

    cluster: H256
    """The cluster."""
    code_hash: H256
    """blake2_256 of the wasm."""
    uploader: AccountId
    """Who uploaded it."""


@variant(3)
@dataclass(frozen=True, slots=True)
class Instantiating(Event):
    """An instantiation was sent to the cluster."""

    contract: H256
    """The new contract's address."""
    cluster: H256
    """Its cluster."""
    deployer: AccountId
    """Who deploys it."""


@variant(4)
@dataclass(frozen=True, slots=True)
class ContractPubkeyAvailable(Event):
    """The gatekeepers published the contract's key: commands can be encrypted to it."""

    contract: H256
    """The contract."""
    cluster: H256
    """Its cluster."""
    pubkey: H256
    """Its x25519 key."""


@variant(5)
@dataclass(frozen=True, slots=True)
class Instantiated(Event):
    """The cluster ran the constructor successfully."""

    contract: H256
    """The contract."""
    cluster: H256
    """Its cluster."""
    deployer: AccountId
    """Who deployed it."""


@variant(6)
@dataclass(frozen=True, slots=True)
class InstantiationFailed(Event):
    """The constructor reverted, trapped or ran out of gas; the contract does not exist."""

    contract: H256
    """The contract."""
    cluster: H256
    """Its cluster."""
    reason: str
    """The cluster's error code and message."""


@variant(7)
@dataclass(frozen=True, slots=True)
class ClusterDestroyed(Event):
    """Governance removed a cluster."""

    cluster: H256
    """The cluster."""


@variant(8)
@dataclass(frozen=True, slots=True)
class Transferred(Event):
    """PHA moved into a cluster for an account."""

    cluster: H256
    """The cluster."""
    account: AccountId
    """Whose cluster balance."""
    amount: Balance
    """How much."""


@variant(9)
@dataclass(frozen=True, slots=True)
class WorkerAddedToCluster(Event):
    """A worker joined a cluster."""

    worker: H256
    """The worker."""
    cluster: H256
    """The cluster."""


@variant(10)
@dataclass(frozen=True, slots=True)
class WorkerRemovedFromCluster(Event):
    """A worker left a cluster."""

    worker: H256
    """The worker."""
    cluster: H256
    """The cluster."""


@variant(11)
@dataclass(frozen=True, slots=True)
class CommandPushed(Event):
    """An encrypted command is on its way to the contract's cluster."""

    contract: H256
    """The contract."""
    sender: AccountId
    """Who sent it."""


@variant(12)
@dataclass(frozen=True, slots=True)
class ContractEmitted(Event):
    """A contract emitted an event while executing a command (signed by its key)."""

    contract: H256
    """The contract."""
    topics: list[H256]
    """The event's topics."""
    data: bytes
    """The event's data, decoded by the contract's metadata."""


@variant(13)
@dataclass(frozen=True, slots=True)
class StakeChanged(Event):
    """An account's stake on a contract changed."""

    contract: H256
    """The contract."""
    account: AccountId
    """Whose stake."""
    amount: Balance
    """The stake now."""
