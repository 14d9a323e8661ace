"""The layout of the clustered engine's keys in etcd, and what each value holds.

Everything of one chain lives under ``/khala/<genesis hash>/``:

- ``leader``: the current leader's :class:`LeaderInfo` (JSON), attached to its lease. The
  key's ``create_revision`` is the leader's **term**: every append compares it, so a deposed
  leader's append fails atomically.
- ``blocks/<number>``: the SCALE-encoded sealed block (header + extrinsics) at that height,
  written once by the leader (``create_revision == 0``).
- ``votes/<number>/<authority>``: one authority's :class:`Vote` for the block it executed
  at that height.
- ``members/<node key>``: a running node's RPC URL, attached to its lease: where the others
  relay the transactions their clients submit.

Numbers are zero-padded to 12 digits so key order is height order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from khala.primitives.scale import H256, H512, U64, codec_of
from khala.runtime.block import Block

NUMBER_DIGITS = 12
"""Digits of a height in a key (enough for 31,000 years of 1 s blocks)."""

BLOCK_CODEC = codec_of(Block)
"""A log entry: ``sp_runtime``'s SCALE ``Block`` (sealed header, then the extrinsics)."""


@dataclass(frozen=True, slots=True)
class Vote:
    """An authority's signature that it executed a block and found it valid."""

    block_hash: H256
    """The block it executed at that height."""
    set_id: U64
    """The authority set it signed under (the one in the block's parent state)."""
    signature: H512
    """ed25519 over :func:`khala.primitives.finality.finality_message`."""


VOTE_CODEC = codec_of(Vote)
"""A vote's value: SCALE ``(hash, set_id, signature)``."""


@dataclass(frozen=True, slots=True)
class LeaderInfo:
    """Who leads, and where followers forward transactions."""

    authority: str
    """The leader's ed25519 authority key (hex)."""
    rpc_url: str
    """Its JSON-RPC URL."""

    def encode(self) -> bytes:
        """The ``leader`` key's value."""
        return json.dumps({"authority": self.authority, "rpc": self.rpc_url}).encode()

    @staticmethod
    def decode(raw: bytes) -> LeaderInfo | None:
        """Read a ``leader`` value (None when it is not one)."""
        try:
            fields = json.loads(raw)
            return LeaderInfo(str(fields["authority"]), str(fields["rpc"]))
        except (ValueError, KeyError, TypeError):
            return None


class LogKeys:
    """The keys of one chain's log."""

    def __init__(self, genesis_hash: bytes) -> None:
        """Root the keys at ``/khala/<genesis hash>/``."""
        self.root = b"/khala/0x" + genesis_hash.hex().encode() + b"/"
        self.leader = self.root + b"leader"
        self.blocks = self.root + b"blocks/"
        self.votes = self.root + b"votes/"
        self.members = self.root + b"members/"

    def member(self, node: bytes) -> bytes:
        """The key announcing a node (by its ed25519 key)."""
        return self.members + node.hex().encode()

    def member_of(self, key: bytes) -> bytes | None:
        """The node a ``members/`` key names (None for another key)."""
        name = key[len(self.members) :] if key.startswith(self.members) else b""
        try:
            return bytes.fromhex(name.decode()) if len(name) == 64 else None
        except ValueError:
            return None

    def block(self, number: int) -> bytes:
        """The key of the block at ``number``."""
        return self.blocks + _height(number)

    def votes_at(self, number: int) -> bytes:
        """The prefix of the votes for height ``number``."""
        return self.votes + _height(number) + b"/"

    def vote(self, number: int, authority: bytes) -> bytes:
        """The key of ``authority``'s vote at ``number``."""
        return self.votes_at(number) + authority.hex().encode()

    def block_number(self, key: bytes) -> int | None:
        """The height a ``blocks/`` key names (None for another key)."""
        if not key.startswith(self.blocks):
            return None
        digits = key[len(self.blocks) :]
        return int(digits) if digits.isdigit() and len(digits) == NUMBER_DIGITS else None

    def vote_of(self, key: bytes) -> tuple[int, bytes] | None:
        """The height and authority a ``votes/`` key names (None for another key)."""
        if not key.startswith(self.votes):
            return None
        parts = key[len(self.votes) :].split(b"/")
        if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 64:
            return None
        try:
            return int(parts[0]), bytes.fromhex(parts[1].decode())
        except ValueError:
            return None


def _height(number: int) -> bytes:
    return str(number).zfill(NUMBER_DIGITS).encode()
