"""The chain the growth benchmark authors: LMDB (pruned or archive), empty and transfer blocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from khala.node.chain import Chain
from khala.node.lmdb_store import LmdbChainStore
from khala.primitives.crypto import KeyScheme, keypair_from_seed, keypair_from_uri
from khala.primitives.scale import codec_of
from khala.primitives.types import Header
from khala.runtime.genesis import dev_genesis
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from khala.sdk import core

START_MS = 1_700_000_000_000
"""The first block's time (any fixed value: blocks are 2 s apart from it)."""
_BLOCK = codec_of(tuple[Header, bytes | None, list[tuple[bytes, bytes | None]]])
_SENDERS = ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")
"""Dev accounts that pay the transfers (each has its own nonce sequence)."""


class GrowthChain:
    """A dev chain in LMDB under ``path`` keeping ``pruning`` blocks' state (None: archive)."""

    def __init__(self, path: Path, pruning: int | None) -> None:
        """Create the chain (LMDB without fsync: the benchmark measures bytes, not latency)."""
        self.store = LmdbChainStore(path, state_pruning=pruning, sync=False)
        self.chain = Chain(self.store, dev_genesis())
        self.authority = keypair_from_uri("//Alice", KeyScheme.ED25519)
        self.senders = [keypair_from_uri(f"//{name}") for name in _SENDERS]
        self.nonces = [0] * len(self.senders)
        self.receivers = 0

    def used_bytes(self) -> int:
        """Bytes of the database's pages in use (its high-water mark; freed pages are reused)."""
        return self.store.used_bytes()

    def state_bytes(self) -> int:
        """Bytes of the state tables (trie nodes, their counts, the pruning journal)."""
        sizes = self.store.bytes_by_table()
        return sizes["nodes"] + sizes["refs"] + sizes["journal"]

    def exported(self, number: int) -> tuple[Header, bytes | None, list[tuple[bytes, Any]]]:
        """Block ``number`` as a worker syncs it: header, justification, storage changes."""
        block_hash = self.store.hash_at(number)
        header = self.store.header(block_hash) if block_hash is not None else None
        if block_hash is None or header is None:
            raise RuntimeError(f"block {number} is missing")
        changes = self.store.changes(block_hash) or {}
        return header, self.store.justification(block_hash), sorted(changes.items())

    def author_empty(self, count: int, out: BinaryIO | None = None) -> None:
        """Author ``count`` empty blocks, streaming each to ``out`` if given."""
        for _ in range(count):
            self._author([])
            if out is not None:
                encoded = _BLOCK.encode(self.exported(self.chain.head.number))
                out.write(len(encoded).to_bytes(4, "little") + encoded)

    def author_transfers(self, blocks: int, per_block: int) -> None:
        """Author ``blocks`` blocks of ``per_block`` transfers to new accounts each."""
        for _ in range(blocks):
            candidates = []
            for index in range(per_block):
                sender = index % len(self.senders)
                self.receivers += 1
                receiver = keypair_from_seed(
                    KeyScheme.SR25519, self.receivers.to_bytes(32, "little")
                )
                call = core.transfer_call(
                    receiver.public_key, EXISTENTIAL_DEPOSIT, keep_alive=False
                )
                candidates.append(
                    core.sign(
                        self.senders[sender],
                        call,
                        nonce=self.nonces[sender],
                        tip=0,
                        genesis_hash=self.chain.genesis_hash,
                        spec_version=SPEC_VERSION,
                        transaction_version=TRANSACTION_VERSION,
                    )
                )
                self.nonces[sender] += 1
            built = self._author(candidates)
            if len(built) != per_block:
                raise RuntimeError("a benchmark transfer was not included")

    def _author(self, candidates: list[bytes]) -> list[bytes]:
        slot = self.chain.head.number + 1
        authored = self.chain.author(
            self.authority, slot=slot, now_ms=START_MS + slot * 2000, candidates=candidates
        )
        return authored.built.included
