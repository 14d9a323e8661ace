"""The gatekeepers' outgoing messages, as deterministic intents numbered from genesis.

Every gatekeeper replays the chain from genesis and records the same intents in the same
order, so the i-th intent has sequence i on every gatekeeper — including one that does not hold
the master key yet (it cannot sign, but it keeps count). Intents are turned into signed
messages only when relayed (:meth:`GatekeeperQueue.signed`), by whoever holds the key; the
chain accepts each sequence once.
"""

from __future__ import annotations

from dataclasses import dataclass

from khala.offchain.master_key import seal_master_key, signing_key
from khala.primitives.scale import H256, U32, U64, ScaleEnum, encode, variant
from khala.runtime.modules.computation.constants import SETTLE_TOPIC
from khala.runtime.modules.mq.calls import signed_payload
from khala.runtime.modules.mq.types import GatekeeperOrigin, Message, SignedMessage
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
    raise TypeError(f"unknown intent {type(intent).__name__}")  # a programming error
