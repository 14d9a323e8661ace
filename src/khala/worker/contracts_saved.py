"""What a worker's contract host keeps across restarts (sealed with each checkpoint)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U32, U64
from khala.runtime.modules.mq.types import SignedMessage
from khala.runtime.modules.phat import payloads
from khala.runtime.modules.phat.types import ClusterInfo


@dataclass(frozen=True, slots=True)
class Buffered:
    """An operation that arrived before the cluster key."""

    block: U32
    """Its block."""
    now_ms: U64
    """That block's time."""
    operation: payloads.ClusterOperation
    """The operation."""


@dataclass(frozen=True, slots=True)
class ContractsSnapshot:
    """What a checkpoint keeps of the host."""

    cluster: H256 | None
    """The cluster served."""
    info: ClusterInfo | None
    """Its settings."""
    joined_late: bool
    """Whether the worker joined an existing cluster (and waits for a state transfer)."""
    skip_until: U32
    """Operations up to this block are in a transferred state already."""
    items: list[tuple[bytes, bytes]]
    """The cluster state."""
    buffered: list[Buffered]
    """Operations waiting for the key."""
    pending: list[SignedMessage]
    """Signed messages the chain has not accepted yet."""
