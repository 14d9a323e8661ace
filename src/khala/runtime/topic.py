"""Message topics as declared records: the one routing table every consumer reads.

A module declares each topic it sends or handles as a :class:`Topic`: its name, the payload
type, and which kind of sender may use it. The runtime table gathers them
(:attr:`khala.runtime.composition.Runtime.topics`); the chain's mq dispatch, the worker's
message router and the gatekeeper's replay all decode and check senders through the same
record, so a topic's shape is written once and a malformed message is refused the same way
everywhere (:class:`TopicError`, code ``topic.undecodable`` or ``topic.wrong_sender``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from khala.errors import KhalaError
from khala.primitives.scale import ScaleError, decode
from khala.runtime.modules.mq.types import Message, MessageOrigin

T = TypeVar("T")


class TopicErrorCode(StrEnum):
    """Why a message was not delivered to its topic's handler."""

    UNDECODABLE = "topic.undecodable"
    """The payload is not the topic's declared type (a newer sender, or a forged message)."""
    WRONG_SENDER = "topic.wrong_sender"
    """The sender is not the kind the topic declares (an account posing as a module...)."""


class TopicError(KhalaError):
    """A message that its topic's declaration refuses."""


@dataclass(frozen=True, slots=True)
class Topic(Generic[T]):
    """A message topic: name, payload type and the senders allowed to use it."""

    name: bytes
    """The topic (a leading ``^`` means on-chain only: handled by the chain, never delivered
    to workers)."""
    payload: type[T] | None
    """The SCALE type of the payload; ``None`` for opaque bytes delivered as they are."""
    senders: tuple[type[MessageOrigin], ...]
    """The origin kinds that may send on this topic."""
    docs: str
    """What travels on the topic and why."""

    @property
    def label(self) -> str:
        """The name as text, for logs and ``/info``."""
        return self.name.decode(errors="replace")

    def open(self, message: Message) -> T:
        """The message's payload as the declared type, after checking its sender's kind.

        Raises:
            TopicError: ``topic.wrong_sender`` or ``topic.undecodable``, naming the topic.
        """
        if not isinstance(message.sender, self.senders):
            allowed = ", ".join(kind.__name__ for kind in self.senders)
            raise TopicError(
                TopicErrorCode.WRONG_SENDER,
                f"{self.label}: sent by a {type(message.sender).__name__}, expected {allowed}",
            )
        if self.payload is None:
            result: Any = message.payload
            return result  # type: ignore[no-any-return]
        try:
            return decode(self.payload, message.payload)
        except ScaleError as error:
            raise TopicError(
                TopicErrorCode.UNDECODABLE,
                f"{self.label}: not a {self.payload.__name__} ({error.message})",
            ) from None
