"""Mq's events."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U64, ScaleEnum, variant
from khala.runtime.modules.mq.types import MessageOrigin
from khala.runtime.types import DispatchErrorRecord


class Event(ScaleEnum):
    """An mq event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class OffchainMessageAccepted(Event):
    """A signed off-chain message was accepted."""

    sender: MessageOrigin
    """Who sent it."""
    sequence: U64
    """Its sequence."""
    destination: bytes
    """Its topic."""


@variant(1)
@dataclass(frozen=True, slots=True)
class MessagePushed(Event):
    """An account or module pushed a message."""

    sender: MessageOrigin
    """Who pushed it."""
    destination: bytes
    """Its topic."""


@variant(2)
@dataclass(frozen=True, slots=True)
class MessageHandlerFailed(Event):
    """An on-chain handler refused a message.

    Its sequence is used, nothing else was written, and it was not delivered to workers.
    """

    sender: MessageOrigin
    """Who sent it."""
    destination: bytes
    """Its topic."""
    error: DispatchErrorRecord
    """Why the handler refused it."""
