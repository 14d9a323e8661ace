"""Mq's dispatch errors."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.mq.constants import MODULE_INDEX


class MqErrorCode(ModuleErrorCode):
    """Mq error codes."""

    BAD_SENDER = "mq.bad_sender", 0
    """Only off-chain origins (workers, gatekeepers, clusters, contracts) sync messages."""
    BAD_SEQUENCE = "mq.bad_sequence", 1
    """The sequence is not the next one the chain expects from this sender."""
    BAD_SIGNATURE = "mq.bad_signature", 2
    """The message is not signed by the sender's key."""
    UNKNOWN_SENDER = "mq.unknown_sender", 3
    """The sender has no key on chain yet (an unregistered worker, no master key, ...)."""
    PAYLOAD_TOO_LARGE = "mq.payload_too_large", 4
    """The payload exceeds 64 KiB."""
    BAD_DESTINATION = "mq.bad_destination", 5
    """An on-chain-only topic (``^...``) has no handler."""


def mq_error(code: MqErrorCode, message: str) -> DispatchError:
    """Build an mq dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
