"""Message queue records (``phala-mq``'s shapes)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U64, ScaleEnum, variant
from khala.runtime.types import AccountId


class MessageOrigin(ScaleEnum):
    """Who sent a message. Variant 0xff is never assigned: it prefixes non-message signatures."""


@variant(0)
@dataclass(frozen=True, slots=True)
class PalletOrigin(MessageOrigin):
    """A runtime module."""

    name: bytes
    """The module's name."""


@variant(1)
@dataclass(frozen=True, slots=True)
class ContractOrigin(MessageOrigin):
    """A confidential contract."""

    contract_id: H256
    """The contract."""


@variant(2)
@dataclass(frozen=True, slots=True)
class WorkerOrigin(MessageOrigin):
    """A registered worker, signing with its identity key."""

    pubkey: H256
    """The worker's identity key."""


@variant(3)
@dataclass(frozen=True, slots=True)
class AccountOrigin(MessageOrigin):
    """An on-chain account."""

    account: AccountId
    """The account."""


@variant(5)
@dataclass(frozen=True, slots=True)
class GatekeeperOrigin(MessageOrigin):
    """The gatekeepers collectively, signing with the master key."""


@variant(6)
@dataclass(frozen=True, slots=True)
class ClusterOrigin(MessageOrigin):
    """A contract cluster."""

    cluster_id: H256
    """The cluster."""


@dataclass(frozen=True, slots=True)
class Message:
    """A message: who sent it, to which topic, with what payload."""

    sender: MessageOrigin
    """The origin."""
    destination: bytes
    """The topic (a leading ``^`` means on-chain only)."""
    payload: bytes
    """The content."""


@dataclass(frozen=True, slots=True)
class SignedMessage:
    """An off-chain message with its sender sequence and signature."""

    message: Message
    """The message."""
    sequence: U64
    """The sender's sequence number; the chain accepts exactly the next one."""
    signature: bytes
    """The sender's signature over ``SCALE(message) ++ SCALE(sequence)``."""


def is_offchain(origin: MessageOrigin) -> bool:
    """Whether messages from ``origin`` come from outside the chain (and must be signed)."""
    return isinstance(origin, WorkerOrigin | GatekeeperOrigin | ClusterOrigin | ContractOrigin)
