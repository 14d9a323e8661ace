"""The pool orders ready transactions by tip and nonce, queues futures, and refuses with codes."""

from __future__ import annotations

import pytest

from khala.node.txpool import MAX_FUTURE_GAP, PoolError, PoolErrorCode, TransactionPool

A, B = b"\xaa" * 32, b"\xbb" * 32


def test_ready_order_is_tip_then_nonce_per_sender() -> None:
    """Higher tips come first, but each sender's transactions stay in nonce order."""
    pool = TransactionPool()
    pool.submit(b"a0", A, 0, tip=1, account_nonce=0)
    pool.submit(b"a1", A, 1, tip=100, account_nonce=0)
    pool.submit(b"b0", B, 0, tip=50, account_nonce=0)
    assert list(pool.ready({A: 0, B: 0})) == [b"b0", b"a0", b"a1"]


def test_futures_wait_for_the_gap() -> None:
    """A nonce gap keeps later transactions out of the ready set until filled."""
    pool = TransactionPool()
    pool.submit(b"a2", A, 2, tip=0, account_nonce=0)
    assert list(pool.ready({A: 0})) == []
    pool.submit(b"a0", A, 0, tip=0, account_nonce=0)
    assert list(pool.ready({A: 0})) == [b"a0"]
    pool.submit(b"a1", A, 1, tip=0, account_nonce=0)
    assert list(pool.ready({A: 0})) == [b"a0", b"a1", b"a2"]
    assert pool.pending_nonce(A, 0) == 3


def test_replacement_needs_a_higher_tip() -> None:
    """Same sender and nonce replaces only with a higher tip (1014 otherwise)."""
    pool = TransactionPool()
    pool.submit(b"first", A, 0, tip=5, account_nonce=0)
    with pytest.raises(PoolError) as caught:
        pool.submit(b"second", A, 0, tip=5, account_nonce=0)
    assert caught.value.code is PoolErrorCode.PRIORITY_TOO_LOW
    pool.submit(b"third", A, 0, tip=6, account_nonce=0)
    assert list(pool.ready({A: 0})) == [b"third"]
    assert len(pool) == 1


def test_duplicates_limit_and_gap_are_refused() -> None:
    """Duplicates (1013), a full pool (1016) and far-future nonces (1012) are refused."""
    pool = TransactionPool(limit=2)
    pool.submit(b"x", A, 0, tip=0, account_nonce=0)
    with pytest.raises(PoolError) as caught:
        pool.submit(b"x", A, 0, tip=0, account_nonce=0)
    assert caught.value.code is PoolErrorCode.ALREADY_IMPORTED
    pool.submit(b"y", A, 1, tip=0, account_nonce=0)
    with pytest.raises(PoolError) as caught:
        pool.submit(b"z", B, 0, tip=0, account_nonce=0)
    assert caught.value.code is PoolErrorCode.POOL_FULL
    with pytest.raises(PoolError) as caught:
        TransactionPool().submit(b"w", A, MAX_FUTURE_GAP + 1, tip=0, account_nonce=0)
    assert caught.value.code is PoolErrorCode.TOO_FAR_IN_FUTURE


def test_a_pipelining_sender_is_not_limited_by_the_gap() -> None:
    """Hundreds of consecutive nonces from one sender are accepted before any block."""
    pool = TransactionPool()
    for nonce in range(300):
        pool.submit(nonce.to_bytes(2, "little"), A, nonce, tip=0, account_nonce=0)
    assert len(list(pool.ready({A: 0}))) == 300


def test_remove_and_prune_stale() -> None:
    """Included transactions are removed and stale ones pruned."""
    pool = TransactionPool()
    for nonce in range(3):
        pool.submit(bytes([nonce]), A, nonce, tip=0, account_nonce=0)
    assert len(pool.prune_stale(A, 2)) == 2
    assert list(pool.ready({A: 2})) == [b"\x02"]


def test_a_deferred_transaction_leaves_after_the_future_lifetime() -> None:
    """A ready transaction blocks keep skipping (its message's gap never fills) is dropped.

    It stays while younger than the future lifetime (64 blocks), so a gap that fills in time
    lets it in; after that it leaves and its sender's later transactions are free to go.
    """
    pool = TransactionPool()
    first = pool.submit(b"a0", A, 0, tip=0, account_nonce=0, block=10)
    pool.submit(b"a1", A, 1, tip=0, account_nonce=0, block=10)
    assert pool.deferred([first], 73) == [] and first in pool
    assert pool.deferred([first], 74) == [first]
    assert first not in pool and pool.take_dropped() == [first]
