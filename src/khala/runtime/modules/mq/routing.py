"""Message routing helpers: the handler shape and payload decoding for handlers.

The routing table itself is derived from the runtime table (each module declares the topics it
handles in its ``routes``) and reaches mq through ``ctx.routes``, so modules need not import
each other; a message to an on-chain-only topic (``^``) without a handler is refused.
Messages to other topics are also delivered to workers through ``Mq.OutboundMessages``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from khala.primitives.scale import ScaleError, decode
from khala.runtime.context import Context
from khala.runtime.errors import DispatchError
from khala.runtime.modules.mq.types import Message
from khala.runtime.state import State

T = TypeVar("T")

Handler = Callable[[State, Context, Message], None]
"""An on-chain message handler: validates, writes and emits like a call."""


def decode_payload(kind: type[T], message: Message, malformed: Callable[[str], DispatchError]) -> T:
    """Decode a message's payload as ``kind`` for a handler.

    Raises:
        DispatchError: ``malformed(reason)``, the handler module's own typed error.
    """
    try:
        return decode(kind, message.payload)
    except ScaleError as error:
        raise malformed(f"not a {kind.__name__}: {error.message}") from None
