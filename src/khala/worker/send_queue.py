"""The worker's egress: messages it signs, kept until the chain has accepted them.

Each message gets the next sequence of this worker's origin. A message stays pending until the
chain's ingress sequence for this origin (read from the worker's *verified* state after each
block) passes it; the relayer carries pending messages in order and the chain accepts each
sequence exactly once, so a message lands once however often it is relayed.
"""

from __future__ import annotations

from khala.primitives.crypto import Keypair
from khala.runtime.modules.mq.calls import signed_payload
from khala.runtime.modules.mq.types import Message, SignedMessage, WorkerOrigin


class SendQueue:
    """Pending signed messages of one worker."""

    def __init__(
        self, identity: Keypair, next_sequence: int = 0, pending: list[SignedMessage] | None = None
    ) -> None:
        """Continue from ``next_sequence`` with the given pending messages."""
        self.identity = identity
        self.origin = WorkerOrigin(identity.public_key)
        self.next_sequence = next_sequence
        self.pending: dict[int, SignedMessage] = {
            message.sequence: message for message in pending or []
        }

    def push(self, destination: bytes, payload: bytes) -> SignedMessage:
        """Sign a message with the next sequence and keep it until accepted."""
        message = Message(self.origin, destination, payload)
        sequence = self.next_sequence
        signed = SignedMessage(
            message, sequence, self.identity.sign(signed_payload(message, sequence))
        )
        self.pending[sequence] = signed
        self.next_sequence += 1
        return signed

    def purge(self, chain_next_sequence: int) -> None:
        """Drop messages the chain has accepted (sequence below its next expected one).

        A queue restored from a checkpoint can be behind the chain (messages signed after the
        checkpoint were accepted before a crash): its next sequence moves up to the chain's, so
        a new message never reuses a sequence the chain has already consumed.
        """
        for sequence in [sequence for sequence in self.pending if sequence < chain_next_sequence]:
            del self.pending[sequence]
        self.next_sequence = max(self.next_sequence, chain_next_sequence)

    def messages(self) -> list[SignedMessage]:
        """Pending messages in sequence order."""
        return [self.pending[sequence] for sequence in sorted(self.pending)]
