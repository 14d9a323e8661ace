"""The worker's light client: it trusts only the genesis hash.

Genesis: the block-0 header must hash to the trusted genesis hash and the given storage must
produce its state root. Every later block must:

1. have number = head + 1 and parent hash = the head's hash;
2. carry a justification for its hash signed by ≥ 2/3 of the authority set *read from the
   worker's own verified state* (and that set's id);
3. after its storage changes are applied to a fork of the worker's trie, give exactly the
   header's state root.

Only then does the fork become the head and the block's outbound messages (``Mq.Outbound
Messages``, read from that verified state) are returned for dispatch. Any failure raises a
typed :class:`SyncError` and leaves the previous head and state untouched, so the worker
continues when honest data arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from khala.errors import KhalaError
from khala.primitives.finality import FinalityError, Justification, verify_justification
from khala.primitives.scale import ScaleError, codec_of
from khala.primitives.trie import Layout, RefCountedNodeStore, Trie, build_root
from khala.primitives.types import Header
from khala.runtime.modules.authorship.state import AUTHORITIES, AUTHORITY_SET_ID
from khala.runtime.modules.mq.state import OUTBOUND
from khala.runtime.modules.mq.types import Message
from khala.runtime.state import State

_JUSTIFICATION = codec_of(Justification)


class SyncErrorCode(StrEnum):
    """Why a block was refused."""

    GENESIS_MISMATCH = "sync.genesis_mismatch"
    """Block 0 is not the trusted genesis (hash or state)."""
    WRONG_NUMBER = "sync.wrong_number"
    """The block does not follow the worker's head (a gap or a repeat)."""
    WRONG_PARENT = "sync.wrong_parent"
    """The block's parent hash is not the worker's head."""
    MISSING_JUSTIFICATION = "sync.missing_justification"
    """The block carries no finality justification."""
    BAD_JUSTIFICATION = "sync.bad_justification"
    """The justification is malformed, for another block, or under-signed."""
    STATE_ROOT_MISMATCH = "sync.state_root_mismatch"
    """The storage changes do not produce the header's state root (tampered changes)."""
    NOT_STARTED = "sync.not_started"
    """No genesis has been imported yet."""


class SyncError(KhalaError):
    """A block was refused; the worker's state is unchanged."""


@dataclass(frozen=True, slots=True)
class SyncBlock:
    """A block as the relayer delivers it."""

    header: Header
    """The header (sealed)."""
    justification: bytes | None
    """The encoded finality justification."""
    changes: dict[bytes, bytes | None]
    """The block's storage changes (None deletes)."""


class LightClient:
    """Verified chain state inside the worker."""

    def __init__(self, genesis_hash: bytes, store: RefCountedNodeStore | None = None) -> None:
        """Trust ``genesis_hash``; nothing is imported yet.

        Only the current verified state is kept: each adopted block releases the nodes it
        superseded, so memory follows the state's size, not the chain's length.
        """
        self.genesis_hash = genesis_hash
        self.store = store if store is not None else RefCountedNodeStore()
        self.head: Header | None = None
        self.trie = Trie(self.store, Layout.V1)

    @property
    def height(self) -> int:
        """The verified head's number (-1 before genesis)."""
        return -1 if self.head is None else self.head.number

    def state(self) -> State:
        """A read view of the verified state."""
        return State(self.trie)

    def restore(self, head: Header, trie: Trie) -> None:
        """Adopt a previously verified head and state (from a checkpoint)."""
        self.head = head
        self.trie = trie

    def import_genesis(self, block: SyncBlock) -> None:
        """Verify and adopt block 0.

        Raises:
            SyncError: ``sync.genesis_mismatch``.
        """
        if block.header.number != 0 or block.header.hash() != self.genesis_hash:
            raise SyncError(
                SyncErrorCode.GENESIS_MISMATCH, "block 0 does not hash to the trusted genesis"
            )
        root = build_root(
            ((key, value) for key, value in block.changes.items() if value is not None),
            Layout.V1,
            self.store,
        )
        if root != block.header.state_root:
            raise SyncError(
                SyncErrorCode.GENESIS_MISMATCH,
                "genesis storage does not give the genesis state root",
            )
        self.head, self.trie = block.header, Trie(self.store, Layout.V1, root)

    def import_block(self, block: SyncBlock) -> list[Message]:
        """Verify and adopt the next block; return its outbound messages.

        Raises:
            SyncError: Naming the first check that failed; nothing changes.
        """
        head = self.head
        if head is None:
            if block.header.number == 0:
                self.import_genesis(block)
                return []
            raise SyncError(SyncErrorCode.NOT_STARTED, "import genesis first")
        header = block.header
        if header.number != head.number + 1:
            raise SyncError(
                SyncErrorCode.WRONG_NUMBER,
                f"expected block #{head.number + 1}, got #{header.number}",
            )
        if header.parent_hash != head.hash():
            raise SyncError(
                SyncErrorCode.WRONG_PARENT, f"block #{header.number} does not build on our head"
            )
        self._check_justification(header, block.justification)
        fork = self.trie.fork()
        for key, value in block.changes.items():
            if value is None:
                fork.delete(key)
            else:
                fork.insert(key, value)
        if fork.root_hash() != header.state_root:
            raise SyncError(
                SyncErrorCode.STATE_ROOT_MISMATCH,
                f"changes of block #{header.number} do not give its state root; the relayer sent "
                "tampered or incomplete data",
            )
        fork.commit()
        self.store.release(fork.take_removed())
        self.head, self.trie = header, fork
        return list(OUTBOUND.get(State(fork)))

    def _check_justification(self, header: Header, raw: bytes | None) -> None:
        if raw is None:
            raise SyncError(
                SyncErrorCode.MISSING_JUSTIFICATION, f"block #{header.number} has no justification"
            )
        try:
            justification = _JUSTIFICATION.decode(raw)
        except ScaleError as error:
            raise SyncError(
                SyncErrorCode.BAD_JUSTIFICATION, f"malformed justification: {error.message}"
            ) from None
        state = self.state()
        authorities = [authority.finality_key for authority in AUTHORITIES.get(state)]
        try:
            verify_justification(
                justification,
                block_hash=header.hash(),
                number=header.number,
                set_id=AUTHORITY_SET_ID.get(state),
                authorities=authorities,
            )
        except FinalityError as error:
            raise SyncError(SyncErrorCode.BAD_JUSTIFICATION, error.message) from None
