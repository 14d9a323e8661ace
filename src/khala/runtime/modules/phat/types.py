"""Phat contracts records."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from khala.primitives.scale import H256, U32, ScaleEnum, variant
from khala.runtime.types import AccountId, Balance


class ClusterPermission(ScaleEnum):
    """Who may upload code to and instantiate contracts in a cluster."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Public(ClusterPermission):
    """Anyone."""


@variant(1)
@dataclass(frozen=True, slots=True)
class OnlyOwner(ClusterPermission):
    """Only this account."""

    owner: AccountId
    """The account allowed."""


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    """A cluster's settings."""

    owner: AccountId
    """Who may add and remove workers (besides governance)."""
    permission: ClusterPermission
    """Who may deploy."""
    gas_price: Balance
    """Planck per unit of gas (what commands cost in the cluster)."""
    deposit_per_item: Balance
    """Storage deposit per contract storage entry."""
    deposit_per_byte: Balance
    """Storage deposit per byte of contract storage."""


@dataclass(frozen=True, slots=True)
class PublicKeys:
    """The public halves of a cluster's or contract's derived key."""

    signing: H256
    """ed25519: signs the cluster's or contract's messages (deterministic signatures)."""
    ecdh: H256
    """x25519: what users encrypt commands to."""


class ContractStatus(IntEnum):
    """Where an instantiation stands."""

    PENDING = 0
    """Sent to the cluster; no result yet."""
    INSTANTIATED = 1
    """The constructor succeeded."""
    FAILED = 2
    """The constructor reverted, trapped or ran out of gas."""


@dataclass(frozen=True, slots=True)
class ContractInfo:
    """A contract."""

    deployer: AccountId
    """Who instantiated it."""
    cluster: H256
    """Its cluster."""
    code_hash: H256
    """The code it runs."""
    status: ContractStatus
    """Whether its constructor ran."""


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """Code uploaded to a cluster."""

    uploader: AccountId
    """Who uploaded it."""
    size: U32
    """Its length in bytes."""
