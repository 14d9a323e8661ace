"""Chain data types shared by every layer, declared once for SCALE and metadata.

Only what the primitives themselves need lives here (the block header and its digest);
runtime modules declare their own types next to their state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from khala.primitives.hashing import blake2_256
from khala.primitives.scale import H256, CompactU32, Length, ScaleEnum, encode, variant
from khala.primitives.trie.node import EMPTY_ROOT

ConsensusEngineId = Annotated[bytes, Length(4)]
"""A 4-byte engine tag in digests, e.g. ``b"aura"`` or ``b"FRNK"``."""


class DigestItem(ScaleEnum):
    """One entry of a header digest, as Substrate's ``sp_runtime::DigestItem``."""


@variant(0)
@dataclass(frozen=True, slots=True)
class OtherDigest(DigestItem):
    """Opaque data for tools; no consensus meaning."""

    data: bytes
    """Arbitrary bytes."""


@variant(4)
@dataclass(frozen=True, slots=True)
class ConsensusDigest(DigestItem):
    """A message from the runtime to the consensus engine (e.g. an authority set change)."""

    engine: ConsensusEngineId
    """The engine the message is for."""
    data: bytes
    """The engine-specific payload."""


@variant(5)
@dataclass(frozen=True, slots=True)
class SealDigest(DigestItem):
    """The block author's seal (signature), always the last digest item."""

    engine: ConsensusEngineId
    """The engine that sealed the block."""
    signature: bytes
    """The engine-specific signature."""


@variant(6)
@dataclass(frozen=True, slots=True)
class PreRuntimeDigest(DigestItem):
    """Data from the author for the runtime, e.g. the authoring slot."""

    engine: ConsensusEngineId
    """The engine that wrote it."""
    data: bytes
    """The engine-specific payload."""


@variant(8)
@dataclass(frozen=True, slots=True)
class RuntimeEnvironmentUpdated(DigestItem):
    """Marks a block that changed the runtime code or heap pages."""


@dataclass(frozen=True, slots=True)
class Header:
    """A block header; its blake2-256 hash is the block hash."""

    parent_hash: H256
    """Hash of the parent block (zeros for genesis)."""
    number: CompactU32
    """Block height."""
    state_root: H256
    """Root of the state trie after this block."""
    extrinsics_root: H256
    """Trie root of the ordered extrinsics (keys are compact indices)."""
    digest: list[DigestItem]
    """Consensus and runtime log items."""

    def hash(self) -> bytes:
        """Return the block hash: blake2-256 of the SCALE-encoded header."""
        return blake2_256(encode(self))


def genesis_header(state_root: bytes) -> Header:
    """Return the genesis header for a state root: no parent, no extrinsics, empty digest."""
    return Header(
        parent_hash=bytes(32),
        number=0,
        state_root=state_root,
        extrinsics_root=EMPTY_ROOT,
        digest=[],
    )
