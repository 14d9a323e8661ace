"""State pruning: a node keeps the last N blocks' state, deletes the rest, and says so.

Blocks of transfers change balances each block; with a window of 8 the store must hold
exactly the nodes the last 8 states use (nothing leaked, nothing a kept state misses), older
states answer ``chain.state_pruned``, and an archive node keeps everything.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from khala.node.chain import Chain, ChainError, ChainErrorCode
from khala.node.lmdb_store import LmdbChainStore
from khala.node.storage import ChainStore, MemoryChainStore, StorageError, StorageErrorCode
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.trie import Layout, Trie, decode_node
from khala.primitives.trie.node import HASH_LENGTH
from khala.runtime.genesis import dev_genesis
from khala.runtime.modules.balances.calls import TransferKeepAlive
from khala.runtime.modules.system.state import account
from khala.runtime.types import AddressId
from khala.sdk import core

AUTHORITY = keypair_from_uri("//Alice", KeyScheme.ED25519)
ALICE = keypair_from_uri("//Alice")
WINDOW = 8


def _author(chain: Chain, count: int, nonce: list[int]) -> None:
    """``count`` blocks, each with a transfer to a new account (the state keeps changing)."""
    for _ in range(count):
        slot = chain.head.number + 1
        dest = AddressId(bytes([slot % 256, slot // 256]) * 16)
        raw = core.sign(
            ALICE,
            TransferKeepAlive(dest, 10**12),
            nonce=nonce[0],
            tip=0,
            genesis_hash=chain.genesis_hash,
            spec_version=chain.release_at().spec_version,
            transaction_version=1,
        )
        nonce[0] += 1
        chain.author(AUTHORITY, slot=slot, now_ms=1_700_000_000_000 + slot * 2000, candidates=[raw])


def _reachable(store: ChainStore, roots: list[bytes]) -> set[bytes]:
    seen: set[bytes] = set()

    def visit(node_hash: bytes) -> None:
        if node_hash in seen:
            return
        seen.add(node_hash)
        encoded = store.get_node(node_hash)
        assert encoded is not None, f"a kept state misses node 0x{node_hash.hex()}"
        walk(encoded)

    def walk(encoded: bytes) -> None:
        node = decode_node(encoded)
        if node is None:
            return
        if node.value_hash is not None:
            seen.add(node.value_hash)
        for reference in node.children or ():
            if reference is None:
                continue
            if len(reference) == HASH_LENGTH:
                visit(reference)
            else:
                walk(reference)

    for root in roots:
        visit(root)
    return seen


def _stored(store: MemoryChainStore | LmdbChainStore) -> set[bytes]:
    return set(store.node_hashes())


@pytest.mark.parametrize("kind", ["memory", "lmdb"])
def test_the_last_window_of_states_is_kept_exactly(tmp_path: Path, kind: str) -> None:
    store: ChainStore = (
        MemoryChainStore(WINDOW)
        if kind == "memory"
        else LmdbChainStore(tmp_path, state_pruning=WINDOW)
    )
    chain = Chain(store, dev_genesis())
    nonce = [0]
    _author(chain, 40, nonce)
    head = chain.head.number
    assert store.oldest_state() == head - WINDOW + 1
    kept = [store.header(store.hash_at(n) or b"") for n in range(head - WINDOW + 1, head + 1)]
    roots = [header.state_root for header in kept if header is not None]
    assert _stored(store) == _reachable(store, roots)
    for header in kept:
        assert header is not None
        trie = chain.state_at(header.hash())
        assert dict(trie.items()) == dict(Trie(chain.nodes, Layout.V1, header.state_root).items())
    with pytest.raises(ChainError) as caught:
        chain.state_at(store.hash_at(head - WINDOW))
    assert caught.value.code is ChainErrorCode.STATE_PRUNED
    assert f"#{head - WINDOW + 1}" in caught.value.message
    assert store.header(store.hash_at(1) or b"") is not None  # blocks are all kept
    assert store.justification(store.hash_at(1) or b"") is not None


def test_an_archive_keeps_every_state(tmp_path: Path) -> None:
    store = LmdbChainStore(tmp_path, state_pruning=None)
    chain = Chain(store, dev_genesis())
    _author(chain, 20, [0])
    assert store.oldest_state() == 0
    genesis_state = chain.state_at(store.hash_at(0))
    assert (
        genesis_state.root_hash()
        == (store.header(store.hash_at(0) or b"") or chain.head).state_root
    )
    assert len(dict(genesis_state.items())) > 10


def test_pruned_storage_stays_flat(tmp_path: Path) -> None:
    """After the window, more blocks do not mean more nodes (each block replaces its own)."""
    store = LmdbChainStore(tmp_path, state_pruning=WINDOW)
    chain = Chain(store, dev_genesis())
    nonce = [0]
    _author(chain, 20, nonce)
    after_window = store.node_count()
    _author(chain, 60, nonce)
    # 60 new accounts add their own leaves (≈ 3 nodes each), the history adds nothing
    assert store.node_count() <= after_window + 60 * 4
    archive = LmdbChainStore(tmp_path / "archive", state_pruning=None)
    archived = Chain(archive, dev_genesis())
    _author(archived, 80, [0])
    assert archive.node_count() > store.node_count() + 80 * 5


def test_the_map_grows_and_a_limit_is_a_typed_error(tmp_path: Path) -> None:
    """A full LMDB map doubles; at --db-max-size the commit fails with storage.full."""
    grows = LmdbChainStore(tmp_path / "grows", initial_size=64 * 1024, max_size=64 << 20)
    chain = Chain(grows, dev_genesis())
    _author(chain, 5, [0])
    assert grows.map_size() > 64 * 1024 and chain.head.number == 5
    with pytest.raises(StorageError) as caught:
        Chain(
            LmdbChainStore(tmp_path / "tight", initial_size=64 * 1024, max_size=64 * 1024),
            dev_genesis(),
        )
    assert caught.value.code is StorageErrorCode.FULL
    assert "--db-max-size" in caught.value.message


def test_a_pruning_node_killed_mid_write_reopens_consistent(tmp_path: Path) -> None:
    """SIGKILL while blocks (and their pruning) are being committed loses no kept state.

    Each block's nodes, journal and releases go in one LMDB transaction, so after the kill
    the store holds exactly what the kept states need, and the chain goes on.
    """
    path = tmp_path / "chain"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from khala.node.chain import Chain\n"
        "from khala.node.lmdb_store import LmdbChainStore\n"
        "from khala.runtime.genesis import dev_genesis\n"
        "from tests.node.test_pruning import _author\n"
        f"chain = Chain(LmdbChainStore(Path({str(path)!r}), state_pruning={WINDOW}), "
        "dev_genesis())\n"
        "print('ready', flush=True)\n"
        "_author(chain, 100000, [0])\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=Path(__file__).parents[2]
    )
    assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
    time.sleep(3)
    child.send_signal(signal.SIGKILL)
    child.wait()
    store = LmdbChainStore(path, state_pruning=WINDOW)
    chain = Chain(store, dev_genesis())
    head = chain.head.number
    assert head > WINDOW
    first = max(store.oldest_state(), 0)
    roots = [
        (store.header(store.hash_at(n) or b"") or chain.head).state_root
        for n in range(first, head + 1)
    ]
    assert set(store.node_hashes()) == _reachable(store, roots)
    _author(chain, 3, [_nonce(chain)])
    assert chain.head.number == head + 3


def _nonce(chain: Chain) -> int:
    return account(chain.best_state(), ALICE.public_key).nonce
