"""The node's chain: genesis, the head's state trie, authoring and importing blocks.

The head's :class:`Trie` stays in memory between blocks, so a new block re-hashes only the
paths it changed; every block's new trie nodes reach the store in the same LMDB transaction
as the block itself. A block is sealed by its author (ed25519 over the pre-seal header hash,
as a ``Seal`` digest) and, with the dev engine, finalized at once by a 1-of-1 justification.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from khala.errors import KhalaError
from khala.node.storage import ChainStore, NodeStoreView, StoredBlock, corrupt
from khala.primitives.crypto import Keypair, KeyScheme, verify
from khala.primitives.finality import Justification, sign_finality
from khala.primitives.scale import codec_of
from khala.primitives.trie import Layout, Trie, build_root
from khala.primitives.types import Header, SealDigest
from khala.primitives.types import genesis_header as genesis_header_of
from khala.runtime.block import Block, BlockError, BlockErrorCode
from khala.runtime.builder import BlockBuilder, BuiltBlock, apply_changes
from khala.runtime.executive import Executive
from khala.runtime.genesis import (
    GenesisConfig,
    build_genesis_storage,
    preset_of,
)
from khala.runtime.modules.authorship.constants import ENGINE_ID
from khala.runtime.modules.authorship.hooks import author_of_slot, find_author, slot_of
from khala.runtime.modules.authorship.state import AUTHORITY_SET_ID
from khala.runtime.presets import Preset
from khala.runtime.releases import Release
from khala.runtime.state import State
from khala.snapshot.set_changes import SET_CHANGE, SetChange, set_proof

_JUSTIFICATION = codec_of(Justification)


class ChainErrorCode(StrEnum):
    """Codes of :class:`ChainError`."""

    GENESIS_MISMATCH = "chain.genesis_mismatch"
    """The base path holds another chain than the genesis config describes."""
    NOT_AUTHORITY = "chain.not_authority"
    """The node's key is not the authority of the slot it tried to author."""
    UNKNOWN_BLOCK = "chain.unknown_block"
    """No block with this hash or number is stored."""
    STATE_PRUNED = "chain.state_pruned"
    """The block is stored but its state was pruned (older than ``--state-pruning`` blocks);
    read a recent block, or run an archive node (``--state-pruning archive``)."""


class ChainError(KhalaError):
    """The chain cannot do what was asked."""


@dataclass(frozen=True, slots=True)
class AuthoredBlock:
    """A block this node authored and committed."""

    header: Header
    """The sealed header."""
    block_hash: bytes
    """Its hash."""
    built: BuiltBlock
    """What building it produced (included and rejected transactions)."""


@dataclass(frozen=True, slots=True)
class SealedBlock:
    """A sealed block with its post-state, ready to be committed."""

    authored: AuthoredBlock
    """Header, hash and what building it produced."""
    extrinsics: list[bytes]
    """The body."""
    changes: dict[bytes, bytes | None]
    """Its storage changes."""
    trie: Trie
    """The post-state (a fork of the parent's trie, not yet committed)."""

    @property
    def header(self) -> Header:
        """The sealed header."""
        return self.authored.header

    @property
    def block_hash(self) -> bytes:
        """Its hash."""
        return self.authored.block_hash


def _check_seal(state: State, header: Header) -> Header:
    """Return the unsealed header after checking that the slot's author sealed it.

    Raises:
        BlockError: ``block.bad_seal`` or ``block.bad_authorship``.
    """
    seal = header.digest[-1] if header.digest else None
    if not isinstance(seal, SealDigest) or seal.engine != ENGINE_ID:
        raise BlockError(BlockErrorCode.BAD_SEAL, f"block #{header.number} is not sealed")
    unsealed = replace(header, digest=header.digest[:-1])
    try:
        author = find_author(state, slot_of(unsealed))
    except KhalaError as error:
        raise BlockError(BlockErrorCode.BAD_AUTHORSHIP, error.message) from None
    if not verify(KeyScheme.ED25519, author.finality_key, unsealed.hash(), seal.signature):
        raise BlockError(
            BlockErrorCode.BAD_SEAL,
            f"the seal of block #{header.number} is not its slot author's signature",
        )
    return unsealed


def _checked_head(store: ChainStore) -> Header:
    """The stored head, after checking that the store is whole.

    The head's header, the finalized block's justification and the head's state root must be
    present and agree.

    Raises:
        StorageError: ``storage.corrupt`` naming the database when any is missing or unreadable.
    """
    where = getattr(store, "path", "the chain store")
    best = store.best_hash()
    head = store.header(best) if best is not None else None
    if head is None or head.hash() != best:
        raise corrupt(where, "the head block is missing")
    finalized = store.finalized_hash()
    final_header = store.header(finalized) if finalized is not None else None
    if final_header is None:
        raise corrupt(where, "the finalized block is missing")
    if final_header.number > 0 and store.justification(finalized) is None:  # type: ignore[arg-type]
        raise corrupt(where, f"block #{final_header.number} is final but has no justification")
    if store.get_node(head.state_root) is None:
        raise corrupt(where, f"the state of block #{head.number} is missing")
    return head


class Chain:
    """Genesis, head, state and block production over a :class:`ChainStore`."""

    def __init__(self, store: ChainStore, genesis: GenesisConfig) -> None:
        """Open the chain in ``store``, writing genesis if the store is empty.

        Raises:
            ChainError: ``chain.genesis_mismatch`` if the store holds another chain.
        """
        self.store = store
        self.nodes = NodeStoreView(store)
        storage = build_genesis_storage(genesis)
        stored_genesis = store.hash_at(0)
        # An empty store receives the genesis nodes as the root is computed (one pass).
        root = build_root(
            storage.items(), Layout.V1, self.nodes if stored_genesis is None else None
        )
        genesis_header = genesis_header_of(root)
        self.genesis_hash = genesis_header.hash()
        if stored_genesis is None:
            store.commit_block(
                StoredBlock(genesis_header, [], None, dict(storage.items())), finalized=True
            )
        elif stored_genesis != self.genesis_hash:
            raise ChainError(
                ChainErrorCode.GENESIS_MISMATCH,
                f"the base path holds chain 0x{stored_genesis.hex()} but the genesis config gives "
                f"0x{self.genesis_hash.hex()}; use another --base-path or the same genesis",
            )
        head = _checked_head(store)
        self._tip: tuple[Header, bytes, Trie] = (
            head,
            head.hash(),
            Trie(self.nodes, Layout.V1, head.state_root),
        )
        self.preset: Preset = preset_of(self.trie.get)
        self.executive = Executive(self.preset, self.genesis_hash)
        self.release_at()  # a chain running a release this package lacks stops here

    @property
    def tip(self) -> tuple[Header, bytes, Trie]:
        """The head's header, hash and state trie, read in one step.

        Blocks are sealed and committed in a worker thread: code on the event loop that needs
        more than one of these must take them from one ``tip``, or it may mix two heads.
        """
        return self._tip

    @property
    def head(self) -> Header:
        """The head block's header."""
        return self._tip[0]

    @property
    def trie(self) -> Trie:
        """The head's state trie (replaced, with the head, in one step when a block lands)."""
        return self._tip[2]

    @property
    def head_hash(self) -> bytes:
        """The head block's hash (kept with the head: every submission checks against it)."""
        return self._tip[1]

    def best_state(self) -> State:
        """A fresh overlay over the head state (for validation and reads)."""
        return State(self.trie)

    def state_at(self, block_hash: bytes | None) -> Trie:
        """Return the state trie of a block (the head when ``None``).

        Raises:
            ChainError: ``chain.unknown_block``.
        """
        if block_hash is None or block_hash == self.head_hash:
            return self.trie
        header = self.store.header(block_hash)
        if header is None:
            raise ChainError(ChainErrorCode.UNKNOWN_BLOCK, f"no block 0x{block_hash.hex()}")
        oldest = self.store.oldest_state()
        if header.number < oldest:
            raise ChainError(
                ChainErrorCode.STATE_PRUNED,
                f"the state of block #{header.number} was pruned; this node keeps states from "
                f"#{oldest} on (use a recent block, or a node with --state-pruning archive)",
            )
        return Trie(self.nodes, Layout.V1, header.state_root)

    def release_at(self, block_hash: bytes | None = None) -> Release:
        """The runtime release the chain ran at a block (the head when ``None``).

        Raises:
            ChainError: ``chain.unknown_block``.
            UnknownRuntimeError: When this package does not ship it.
        """
        return self.executive.release_at(State(self.state_at(block_hash)))

    def header(self, block_hash: bytes) -> Header:
        """Return a stored header.

        Raises:
            ChainError: ``chain.unknown_block``.
        """
        header = self.store.header(block_hash)
        if header is None:
            raise ChainError(ChainErrorCode.UNKNOWN_BLOCK, f"no block 0x{block_hash.hex()}")
        return header

    def author(
        self, key: Keypair, *, slot: int, now_ms: int, candidates: Iterable[bytes]
    ) -> AuthoredBlock:
        """Build, seal, finalize and commit the next block.

        Raises:
            ChainError: ``chain.not_authority`` when ``key`` is not the slot's author.
        """
        builder = self.start_block(key, slot=slot, now_ms=now_ms)
        for raw in candidates:
            if not builder.push(raw):
                break
        return self.seal_block(key, builder)

    def start_block(self, key: Keypair, *, slot: int, now_ms: int) -> BlockBuilder:
        """Begin the next block on a fork of the head's trie (readers keep the head's).

        Raises:
            ChainError: ``chain.not_authority`` when ``key`` is not the slot's author.
        """
        authority = author_of_slot(self.best_state(), slot)
        if authority.finality_key != key.public_key:
            raise ChainError(
                ChainErrorCode.NOT_AUTHORITY, f"slot {slot} belongs to another authority"
            )
        return BlockBuilder(self.executive, self.trie.fork(), self.head, slot=slot, now_ms=now_ms)

    def seal_block(self, key: Keypair, builder: BlockBuilder) -> AuthoredBlock:
        """Finish, seal, finalize (1-of-1) and commit a block begun with :meth:`start_block`."""
        sealed = self.seal(key, builder)
        set_id = AUTHORITY_SET_ID.get(self.best_state())
        justification = sign_finality([key], sealed.block_hash, sealed.header.number, set_id)
        self.commit(sealed, _JUSTIFICATION.encode(justification))
        return sealed.authored

    def seal(self, key: Keypair, builder: BlockBuilder) -> SealedBlock:
        """Finish and seal a block begun with :meth:`start_block`, without storing it."""
        built = builder.finish()
        unsealed = built.block.header
        seal = SealDigest(ENGINE_ID, key.sign(unsealed.hash()))
        header = replace(unsealed, digest=[*unsealed.digest, seal])
        authored = AuthoredBlock(header, header.hash(), built)
        return SealedBlock(authored, built.block.extrinsics, built.changes, builder.trie)

    def import_block(
        self, header: Header, extrinsics: list[bytes], *, local_time_ms: int | None = None
    ) -> SealedBlock:
        """Check and execute a block another authority sealed on top of the head.

        Checks, in order: the parent is the head, the seal is the slot author's signature, every
        extrinsic applies, the extrinsics root and then the state root match the header. Nothing
        is stored; :meth:`commit` stores the result.

        Raises:
            BlockError: ``block.unknown_parent``, ``block.bad_seal``, the executive's codes, or
                ``block.state_root_mismatch`` (the author computed another state than this node).
        """
        if header.parent_hash != self.head_hash or header.number != self.head.number + 1:
            raise BlockError(
                BlockErrorCode.UNKNOWN_PARENT,
                f"block #{header.number} does not extend the head #{self.head.number}",
            )
        unsealed = _check_seal(self.best_state(), header)
        work = self.trie.fork()
        state = self.executive.execute_block(
            work, Block(unsealed, extrinsics), local_time_ms=local_time_ms
        )
        changes = state.changes()
        root = apply_changes(work, changes)
        if root != header.state_root:
            raise BlockError(
                BlockErrorCode.STATE_ROOT_MISMATCH,
                f"block #{header.number} gives state root 0x{root.hex()} here, its header claims "
                f"0x{header.state_root.hex()}",
            )
        built = BuiltBlock(Block(header, extrinsics), changes, list(extrinsics), [], [])
        return SealedBlock(AuthoredBlock(header, header.hash(), built), extrinsics, changes, work)

    def commit(self, sealed: SealedBlock, justification: bytes | None) -> None:
        """Store a sealed or imported block as the new head and the state readers see.

        The block is final when a justification is given.
        """
        work = sealed.trie
        work.commit()
        set_change = None
        if justification is not None and AUTHORITY_SET_ID.key in sealed.changes:
            set_change = _set_change(sealed.header, justification, work)
        self.store.commit_block(
            StoredBlock(
                sealed.header, sealed.extrinsics, justification, sealed.changes, set_change
            ),
            finalized=justification is not None,
            removed=work.take_removed(),
        )
        self._tip = (sealed.header, sealed.block_hash, work)  # one assignment: old or new

    def finalize(self, block_hash: bytes, justification: bytes) -> None:
        """Record a stored block's justification and make it the finalized block.

        A block that enacted a new authority set also records the proof of it (its state is
        still kept: only finalized blocks' states are pruned).
        """
        set_change = None
        if AUTHORITY_SET_ID.key in (self.store.changes(block_hash) or {}):
            header = self.header(block_hash)
            set_change = _set_change(header, justification, self.state_at(block_hash))
        self.store.finalize(block_hash, justification, set_change)


def _set_change(header: Header, justification: bytes, state: Trie) -> bytes:
    """The encoded proof that ``header``'s block enacted the authority set in ``state``."""
    return SET_CHANGE.encode(SetChange(header, justification, set_proof(state)))
