"""Chain stores keep blocks, nodes and head pointers; LMDB survives reopening."""

from __future__ import annotations

from pathlib import Path

import pytest

from khala.node.chain import Chain, ChainError, ChainErrorCode
from khala.node.lmdb_store import LmdbChainStore
from khala.node.storage import ChainStore, MemoryChainStore
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.runtime.genesis import dev_genesis
from khala.runtime.modules.system.state import account

ALICE_AUTHORITY = keypair_from_uri("//Alice", KeyScheme.ED25519)


def _author(chain: Chain, count: int) -> None:
    for _ in range(count):
        slot = chain.head.number + 1
        chain.author(
            ALICE_AUTHORITY, slot=slot, now_ms=1_700_000_000_000 + slot * 2000, candidates=[]
        )


@pytest.mark.parametrize("kind", ["memory", "lmdb"])
def test_chain_persists_blocks_and_state(tmp_path: Path, kind: str) -> None:
    """Blocks, bodies, justifications and state are readable after authoring."""
    store: ChainStore = MemoryChainStore() if kind == "memory" else LmdbChainStore(tmp_path)
    chain = Chain(store, dev_genesis())
    _author(chain, 3)
    head = chain.head_hash
    assert store.best_hash() == head == store.finalized_hash()
    assert store.hash_at(3) == head
    assert store.justification(head) is not None
    assert store.body(head) is not None and len(store.body(head) or []) == 1
    assert (
        chain.state_at(store.hash_at(1)).root_hash()
        == store.header(store.hash_at(1) or b"").state_root
    )  # type: ignore[union-attr]
    store.close()


def test_lmdb_reopen_resumes_head_and_state(tmp_path: Path) -> None:
    """Reopening the same path resumes at the same head with the same balances."""
    chain = Chain(LmdbChainStore(tmp_path), dev_genesis())
    _author(chain, 2)
    head, root = chain.head_hash, chain.head.state_root
    alice = keypair_from_uri("//Alice").public_key
    balance = account(chain.best_state(), alice).data.free
    chain.store.close()
    reopened = Chain(LmdbChainStore(tmp_path), dev_genesis())
    assert reopened.head_hash == head and reopened.head.state_root == root
    assert account(reopened.best_state(), alice).data.free == balance
    _author(reopened, 1)
    assert reopened.head.number == 3
    reopened.store.close()


def test_other_genesis_is_refused(tmp_path: Path) -> None:
    """A base path holding another chain is refused with chain.genesis_mismatch."""
    from dataclasses import replace

    Chain(LmdbChainStore(tmp_path), dev_genesis()).store.close()
    other = replace(dev_genesis(), endowed=dev_genesis().endowed[:1])
    with pytest.raises(ChainError) as caught:
        Chain(LmdbChainStore(tmp_path), other)
    assert caught.value.code is ChainErrorCode.GENESIS_MISMATCH


def test_only_the_slot_authority_may_author() -> None:
    """Another key cannot author (chain.not_authority)."""
    chain = Chain(MemoryChainStore(), dev_genesis())
    with pytest.raises(ChainError) as caught:
        chain.author(keypair_from_uri("//Bob", KeyScheme.ED25519), slot=1, now_ms=1, candidates=[])
    assert caught.value.code is ChainErrorCode.NOT_AUTHORITY
