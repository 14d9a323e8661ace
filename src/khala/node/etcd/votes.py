"""Collecting authorities' votes into justifications.

Votes arrive from etcd in any order and may be forged (anyone with access to etcd can write
a key): each is checked once against the authority set of the block's parent state before it
counts. A block is final when more than 2/3 of that set signed the hash this node executed
at that height; the justification lists exactly those signatures, in authority order, so
every node builds the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from khala.node.etcd.client import KeyValue
from khala.node.etcd.log import VOTE_CODEC, LogKeys
from khala.primitives.crypto import KeyScheme, verify
from khala.primitives.finality import (
    FinalitySignature,
    Justification,
    finality_message,
    finality_threshold,
)
from khala.primitives.scale import ScaleError


@dataclass(frozen=True, slots=True)
class FinalitySet:
    """Who may finalize a block: the authority set of its parent state."""

    set_id: int
    """The set's id, signed into every vote."""
    authorities: tuple[bytes, ...]
    """The set's ed25519 finality keys."""


class VoteBook:
    """Votes per height, until the height is final."""

    def __init__(self) -> None:
        """Start empty."""
        self._votes: dict[int, dict[bytes, tuple[bytes, int, bytes]]] = {}
        self._checked: dict[tuple[int, bytes], bool] = {}

    def add(
        self, number: int, authority: bytes, block_hash: bytes, set_id: int, signature: bytes
    ) -> None:
        """Record a vote (a later vote of the same authority at that height replaces it)."""
        self._votes.setdefault(number, {})[authority] = (block_hash, set_id, signature)
        self._checked.pop((number, authority), None)

    def add_entries(self, keys: LogKeys, entries: list[KeyValue]) -> None:
        """Record the votes among etcd entries under ``votes/`` (others are skipped)."""
        for entry in entries:
            named = keys.vote_of(entry.key)
            if named is None:
                continue
            try:
                vote = VOTE_CODEC.decode(entry.value)
            except ScaleError:
                continue  # not a vote: never counts
            self.add(named[0], named[1], vote.block_hash, vote.set_id, vote.signature)

    def heights(self) -> list[int]:
        """Heights holding votes."""
        return sorted(self._votes)

    def justification(
        self, number: int, block_hash: bytes, finality: FinalitySet
    ) -> Justification | None:
        """The justification of ``block_hash`` at ``number`` if enough valid votes are in."""
        message = finality_message(block_hash, number, finality.set_id)
        allowed = set(finality.authorities)
        signatures = []
        for authority, (voted, set_id, signature) in sorted(self._votes.get(number, {}).items()):
            if authority not in allowed or voted != block_hash or set_id != finality.set_id:
                continue
            key = (number, authority)
            valid = self._checked.get(key)
            if valid is None:
                valid = verify(KeyScheme.ED25519, authority, message, signature)
                self._checked[key] = valid
            if valid:
                signatures.append(FinalitySignature(authority, signature))
        if len(signatures) < finality_threshold(len(allowed)):
            return None
        return Justification(block_hash, number, finality.set_id, signatures)

    def forget_through(self, number: int) -> None:
        """Drop every vote at or below ``number`` (those heights are final)."""
        for height in [height for height in self._votes if height <= number]:
            del self._votes[height]
        for key in [key for key in self._checked if key[0] <= number]:
            del self._checked[key]
