"""Mq's events."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U64, ScaleEnum, variant
from khala.runtime.modules.mq.types import MessageOrigin


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
