"""Message routing helpers: the handler shape and payload decoding for handlers.

The routing table itself is derived from the runtime table (each module declares its topics,
:class:`khala.runtime.topic.Topic`, and the ones it handles in its ``routes``) and reaches mq
through ``ctx.routes``, so modules need not import each other; a message to an on-chain-only
topic (``^``) without a handler is refused. Messages to other topics are also delivered to
workers through ``Mq.OutboundMessages``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from khala.runtime.context import Context
from khala.runtime.errors import DispatchError
from khala.runtime.modules.mq.types import Message
from khala.runtime.state import State
from khala.runtime.topic import Topic, TopicError

T = TypeVar("T")

Handler = Callable[[State, Context, Message], None]
"""An on-chain message handler: validates, writes and emits like a call."""


def decode_payload(
    topic: Topic[T], message: Message, malformed: Callable[[str], DispatchError]
) -> T:
    """Open a message's payload as its topic declares, for an on-chain handler.

    Raises:
        DispatchError: ``malformed(reason)``, the handler module's own typed error, when the
            topic's declaration refuses the message (the reason names ``topic.*``'s cause).
    """
    try:
        return topic.open(message)
    except TopicError as error:
        raise malformed(f"[{error.code.value}] {error.message}") from None
