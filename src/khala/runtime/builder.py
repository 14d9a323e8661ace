"""Building a block from pool transactions (the author's side of the executive).

Pure: the caller supplies the parent's trie, the slot and the time. Transactions that turn
out invalid are skipped and reported, so the pool can drop them — except those that cannot
apply *yet* (a nonce ahead of their sender's, or a message sequence ahead of its sender's):
they are reported as deferred and stay pooled until the gap fills.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from khala.primitives.scale import U64, codec_of
from khala.primitives.trie import Trie
from khala.primitives.types import Header, PreRuntimeDigest
from khala.runtime.block import Block, extrinsics_root
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.executive import Executive
from khala.runtime.extrinsic import Extrinsic, encode_extrinsic
from khala.runtime.modules.authorship.constants import ENGINE_ID
from khala.runtime.modules.timestamp.calls import Set as SetTimestamp
from khala.runtime.state import State


@dataclass(frozen=True, slots=True)
class BuiltBlock:
    """A block ready to be sealed, with what building it produced."""

    block: Block
    """The unsealed block (its header has no seal yet)."""
    changes: dict[bytes, bytes | None]
    """The block's storage changes."""
    included: list[bytes]
    """Pool transactions included, in order."""
    rejected: list[tuple[bytes, InvalidTransactionError]]
    """Pool transactions found invalid, with why."""
    deferred: list[bytes]
    """Pool transactions that cannot apply yet (a nonce or message sequence ahead): they stay
    pooled, for at most the pool's future lifetime."""


def slot_digest(slot: int) -> PreRuntimeDigest:
    """Return the pre-runtime digest announcing ``slot``."""
    return PreRuntimeDigest(ENGINE_ID, codec_of(U64).encode(slot))


def timestamp_inherent(now_ms: int) -> bytes:
    """Return the encoded ``timestamp.set`` inherent."""
    return encode_extrinsic(Extrinsic(None, SetTimestamp(now_ms)))


def apply_changes(trie: Trie, changes: dict[bytes, bytes | None]) -> bytes:
    """Write a block's changes into the trie and return the new state root."""
    for key, value in changes.items():
        if value is None:
            trie.delete(key)
        else:
            trie.insert(key, value)
    return trie.root_hash()


class BlockBuilder:
    """A block under construction: initialized, then transactions one at a time, then finished.

    The node feeds it in slices so its event loop can answer requests between them.
    """

    def __init__(
        self, executive: Executive, trie: Trie, parent: Header, *, slot: int, now_ms: int
    ) -> None:
        """Initialize the child of ``parent`` on ``trie`` (updated by :meth:`finish`).

        Raises:
            BlockError: When the block cannot be initialized (a chain misconfiguration).
        """
        self.executive = executive
        self.trie = trie
        self.draft = Header(
            parent.hash(), parent.number + 1, bytes(32), bytes(32), [slot_digest(slot)]
        )
        self.execution = executive.initialize_block(State(trie), self.draft)
        executive.apply_extrinsic(self.execution, timestamp_inherent(now_ms))
        self.included: list[bytes] = []
        self.rejected: list[tuple[bytes, InvalidTransactionError]] = []
        self.deferred: list[bytes] = []

    def push(self, raw: bytes) -> bool:
        """Try one pool transaction; False once the block is full (stop offering more)."""
        try:
            self.executive.apply_extrinsic(self.execution, raw)
        except InvalidTransactionError as error:
            too_big_ever = len(raw) > self.executive.preset.max_extrinsic_length
            if error.code is InvalidTransactionCode.EXHAUSTS_RESOURCES and not too_big_ever:
                return False  # the block is full; the rest waits for the next block
            if error.code is InvalidTransactionCode.FUTURE:
                self.deferred.append(raw)  # an earlier nonce or message is missing: it waits
            else:
                self.rejected.append((raw, error))
            return True
        self.included.append(raw)
        return True

    def finish(self) -> BuiltBlock:
        """Finalize the block, write its changes into the trie and return it (unsealed).

        Raises:
            BlockError: When the block cannot be finalized.
        """
        execution = self.execution
        self.executive.finalize_block(execution)
        changes = execution.state.changes()
        state_root = apply_changes(self.trie, changes)
        draft = self.draft
        header = Header(
            draft.parent_hash,
            draft.number,
            state_root,
            extrinsics_root(execution.extrinsics),
            draft.digest,
        )
        return BuiltBlock(
            Block(header, execution.extrinsics),
            changes,
            self.included,
            self.rejected,
            self.deferred,
        )


def build_block(
    executive: Executive,
    trie: Trie,
    parent: Header,
    *,
    slot: int,
    now_ms: int,
    candidates: Iterable[bytes],
) -> BuiltBlock:
    """Build the child of ``parent`` from ``candidates`` (best first); updates ``trie``.

    Raises:
        BlockError: When the block cannot be initialized or finalized (a chain misconfiguration).
    """
    builder = BlockBuilder(executive, trie, parent, slot=slot, now_ms=now_ms)
    for raw in candidates:
        if not builder.push(raw):
            break
    return builder.finish()
