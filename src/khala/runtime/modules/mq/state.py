"""Mq's storage."""

from __future__ import annotations

from typing import Any

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import U64, codec_of
from khala.runtime.modules.mq.constants import MODULE_NAME
from khala.runtime.modules.mq.types import Message, MessageOrigin
from khala.runtime.state import State
from khala.runtime.storage import StorageMap, StorageValue

OUTBOUND: StorageValue[list[Message]] = StorageValue(
    MODULE_NAME, "OutboundMessages", list[Message], []
)
"""Mq.OutboundMessages: this block's messages for workers; cleared at the start of every block."""
INGRESS_SEQUENCE: StorageMap[Any, int] = StorageMap(
    MODULE_NAME, "OffchainIngress", StorageHasher.BLAKE2_128_CONCAT, MessageOrigin, U64, 0
)
"""Mq.OffchainIngress: off-chain sender -> the next sequence the chain accepts."""

_ORIGIN = codec_of(MessageOrigin)


def next_sequence(storage: State, origin: MessageOrigin) -> int:
    """The sequence the chain expects next from ``origin``."""
    return INGRESS_SEQUENCE.get(storage, origin)


def append_outbound(storage: State, message: Message) -> None:
    """Add a message to this block's outbound messages."""
    OUTBOUND.put(storage, [*OUTBOUND.get(storage), message])
