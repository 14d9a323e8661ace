"""The gatekeepers' outgoing messages, as deterministic intents numbered from genesis.

Every gatekeeper replays the chain from genesis and records the same intents in the same
order, so the i-th intent has sequence i on every gatekeeper — including one that does not hold
the master key yet (it cannot sign, but it keeps count). Intents are turned into signed
messages only when relayed (:meth:`GatekeeperQueue.signed`), by whoever holds the key; the
chain accepts each sequence once.
"""

from __future__ import annotations

from dataclasses import dataclass

from khala.offchain.contract_keys import cluster_key, contract_key, seal_cluster_key
from khala.offchain.master_key import seal_master_key, signing_key
from khala.primitives.scale import H256, U32, U64, ScaleEnum, encode, variant
from khala.runtime.modules.computation.constants import SETTLE_TOPIC
from khala.runtime.modules.mq.calls import signed_payload
from khala.runtime.modules.mq.types import GatekeeperOrigin, Message, SignedMessage
from khala.runtime.modules.phat.constants import (
    CLUSTER_KEY_DISTRIBUTION_TOPIC,
    CLUSTER_KEY_TOPIC,
    CONTRACT_KEY_TOPIC,
)
from khala.runtime.modules.phat.payloads import (
    ClusterKeyDistribution,
    ClusterKeyPublication,
    ContractKeyPublication,
)
from khala.runtime.modules.phat.types import PublicKeys
from khala.runtime.modules.registry.constants import MASTER_KEY_TOPIC
from khala.runtime.modules.registry.types import MasterKeyDistribution


class Intent(ScaleEnum):
    """A message the gatekeepers owe the chain."""


@variant(0)
@dataclass(frozen=True, slots=True)
class SettleIntent(Intent):
    """Send a ``WorkingInfoUpdate``."""

    payload: bytes
    """The encoded update."""


@variant(1)
@dataclass(frozen=True, slots=True)
class DistributeIntent(Intent):
    """Seal the master key to a new gatekeeper."""

    dest: H256
    """The new gatekeeper."""
    dest_ecdh: H256
    """Its x25519 key."""
    block: U32
    """The block that registered it (part of the IV)."""
    counter: U32
    """This intent's position among the block's encrypted messages (part of the IV)."""


@variant(2)
@dataclass(frozen=True, slots=True)
class ClusterKeyIntent(Intent):
    """Publish a cluster's public keys."""

    cluster: H256
    """The cluster."""


@variant(3)
@dataclass(frozen=True, slots=True)
class ContractKeyIntent(Intent):
    """Publish a contract's public keys."""

    contract: H256
    """The contract."""
    cluster: H256
    """Its cluster."""


@variant(4)
@dataclass(frozen=True, slots=True)
class ClusterKeyDistributeIntent(Intent):
    """Seal a cluster key to one of its workers."""

    cluster: H256
    """The cluster."""
    dest: H256
    """The worker."""
    dest_ecdh: H256
    """Its x25519 key."""
    block: U32
    """The block that added it (part of the IV)."""
    counter: U32
    """Its position among the block's encrypted messages (part of the IV; shared with master
    key distributions, so no IV repeats)."""


@dataclass(frozen=True, slots=True)
class QueueState:
    """What a checkpoint keeps of the queue."""

    next_sequence: U64
    """The sequence the next intent gets."""
    pending: list[tuple[U64, Intent]]
    """Intents the chain has not accepted yet."""


class GatekeeperQueue:
    """Numbered intents, kept until the chain's ingress sequence passes them."""

    def __init__(self, state: QueueState | None = None) -> None:
        """Start at sequence 0, or continue from a checkpoint."""
        self.next_sequence = 0 if state is None else state.next_sequence
        self.pending: dict[int, Intent] = {} if state is None else dict(state.pending)

    def push(self, intent: Intent) -> int:
        """Record an intent; returns its sequence."""
        sequence = self.next_sequence
        self.pending[sequence] = intent
        self.next_sequence += 1
        return sequence

    def purge(self, chain_next_sequence: int) -> None:
        """Drop intents the chain has accepted."""
        for sequence in [sequence for sequence in self.pending if sequence < chain_next_sequence]:
            del self.pending[sequence]

    def state(self) -> QueueState:
        """The checkpointable state."""
        return QueueState(self.next_sequence, sorted(self.pending.items()))

    def signed(self, master: bytes) -> list[SignedMessage]:
        """The pending intents as messages signed by the master key, in sequence order."""
        signer = signing_key(master)
        messages = []
        for sequence in sorted(self.pending):
            message = _message(master, self.pending[sequence])
            signature = signer.sign(signed_payload(message, sequence))
            messages.append(SignedMessage(message, sequence, signature))
        return messages


def _message(master: bytes, intent: Intent) -> Message:
    if isinstance(intent, SettleIntent):
        return Message(GatekeeperOrigin(), SETTLE_TOPIC, intent.payload)
    if isinstance(intent, DistributeIntent):
        envelope = seal_master_key(
            master, intent.dest, intent.dest_ecdh, intent.block, intent.counter
        )
        payload = encode(MasterKeyDistribution(intent.dest, envelope))
        return Message(GatekeeperOrigin(), MASTER_KEY_TOPIC, payload)
    if isinstance(intent, ClusterKeyIntent):
        key = cluster_key(master, intent.cluster)
        keys = PublicKeys(key.signing.public_key, key.ecdh_public)
        payload = encode(ClusterKeyPublication(intent.cluster, keys))
        return Message(GatekeeperOrigin(), CLUSTER_KEY_TOPIC, payload)
    if isinstance(intent, ContractKeyIntent):
        key = contract_key(cluster_key(master, intent.cluster), intent.contract)
        keys = PublicKeys(key.signing.public_key, key.ecdh_public)
        payload = encode(ContractKeyPublication(intent.contract, intent.cluster, keys))
        return Message(GatekeeperOrigin(), CONTRACT_KEY_TOPIC, payload)
    if isinstance(intent, ClusterKeyDistributeIntent):
        envelope = seal_cluster_key(
            master,
            cluster_key(master, intent.cluster),
            intent.dest,
            intent.dest_ecdh,
            intent.block,
            intent.counter,
        )
        payload = encode(ClusterKeyDistribution(intent.cluster, intent.dest, envelope))
        return Message(GatekeeperOrigin(), CLUSTER_KEY_DISTRIBUTION_TOPIC, payload)
    raise TypeError(f"unknown intent {type(intent).__name__}")  # a programming error
