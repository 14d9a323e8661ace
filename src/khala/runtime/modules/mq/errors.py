"""Mq's dispatch errors."""

from __future__ import annotations

from enum import StrEnum

from khala.runtime.errors import DispatchError
from khala.runtime.modules.mq.constants import MODULE_INDEX


class MqError(StrEnum):
    """Mq error codes."""

    BAD_SENDER = "mq.bad_sender"
    """Only off-chain origins (workers, gatekeepers, clusters, contracts) sync messages."""
    BAD_SEQUENCE = "mq.bad_sequence"
    """The sequence is not the next one the chain expects from this sender."""
    BAD_SIGNATURE = "mq.bad_signature"
    """The message is not signed by the sender's key."""
    UNKNOWN_SENDER = "mq.unknown_sender"
    """The sender has no key on chain yet (an unregistered worker, no master key, ...)."""
    PAYLOAD_TOO_LARGE = "mq.payload_too_large"
    """The payload exceeds 64 KiB."""
    BAD_DESTINATION = "mq.bad_destination"
    """An on-chain-only topic (``^...``) has no handler."""


def mq_error(code: MqError, message: str) -> DispatchError:
    """Build an mq dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
