"""Hardening: the pool cannot be jammed by never-executable, oversized or immortal transactions.

Found by an attacker: 128 accounts each sent nonces 1-64 while holding back nonce 0, filling
the pool (8192) for good; a transfer with a 10 PHA tip was refused with ``pool.full``.
"""

from __future__ import annotations

import pytest

from khala.node.node import TransactionStatus
from khala.node.txpool import (
    FUTURE_LIFETIME_BLOCKS,
    FUTURE_PER_SENDER,
    PoolError,
    PoolErrorCode,
    PoolLimits,
    TransactionPool,
)
from khala.primitives.crypto import keypair_from_uri
from khala.primitives.hashing import blake2_256
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from khala.sdk import core
from tests.node.rpc_harness import make_node

PHA = 10**12
HONEST = b"\xee" * 32


def _sender(index: int) -> bytes:
    return index.to_bytes(2, "big") * 16


def _raw(sender: bytes, nonce: int, size: int = 120) -> bytes:
    return (sender[:2] + nonce.to_bytes(4, "little")).ljust(size, b"\x00")


def test_future_spam_cannot_lock_out_a_ready_transaction() -> None:
    """The attack of the report: every sender's gap-filled futures, then an honest transfer."""
    pool = TransactionPool()
    refused = 0
    for index in range(128):
        for nonce in range(1, 65):
            try:
                pool.submit(_raw(_sender(index), nonce), _sender(index), nonce, 0, 0)
            except PoolError as error:
                assert error.code is PoolErrorCode.FUTURE_LIMIT
                refused += 1
    assert pool.statistics()["future"] <= pool.limits.future_count
    assert refused >= 128 * (64 - FUTURE_PER_SENDER)
    pool.submit(_raw(HONEST, 0), HONEST, 0, 10 * PHA, 0)
    account_nonces = {sender: 0 for sender in pool.senders()}
    assert list(pool.ready(account_nonces)) == [_raw(HONEST, 0)]


def test_a_sender_holds_at_most_sixteen_future_transactions() -> None:
    """The 17th nonce gap of one sender is refused with a typed error naming the fix."""
    pool = TransactionPool()
    sender = _sender(1)
    for nonce in range(2, 2 + FUTURE_PER_SENDER):
        pool.submit(_raw(sender, nonce), sender, nonce, 0, 0)
    with pytest.raises(PoolError) as caught:
        pool.submit(_raw(sender, 40), sender, 40, 0, 0)
    assert caught.value.code is PoolErrorCode.FUTURE_LIMIT
    assert "missing nonces" in caught.value.message


def test_a_full_pool_evicts_worse_transactions_for_a_better_one() -> None:
    """Futures go first, then the lowest-tip chain end; an equal tip evicts nothing."""
    pool = TransactionPool(limits=PoolLimits(count=3, future_count=1))
    low, high, gap = _sender(1), _sender(2), _sender(3)
    pool.submit(_raw(low, 0), low, 0, 1, 0)
    pool.submit(_raw(low, 1), low, 1, 1, 0)
    pool.submit(_raw(gap, 5), gap, 5, 50, 0)
    pool.submit(_raw(high, 0), high, 0, 10, 0)  # evicts the future one despite its higher tip
    assert pool.take_dropped() == [blake2_256(_raw(gap, 5))]
    pool.submit(_raw(_sender(4), 0), _sender(4), 0, 5, 0)  # evicts low's last nonce, not nonce 0
    assert list(pool.ready({low: 0, high: 0, _sender(4): 0})) == [
        _raw(high, 0),
        _raw(_sender(4), 0),
        _raw(low, 0),
    ]
    with pytest.raises(PoolError) as caught:
        pool.submit(_raw(_sender(5), 0), _sender(5), 0, 1, 0)
    assert caught.value.code is PoolErrorCode.POOL_FULL


def test_the_pool_is_bounded_in_bytes() -> None:
    """Large transactions fill the byte budget before the count budget."""
    pool = TransactionPool(limits=PoolLimits(size=1000))
    for index in range(3):
        pool.submit(_raw(_sender(index), 0, 300), _sender(index), 0, 0, 0)
    with pytest.raises(PoolError) as caught:
        pool.submit(_raw(_sender(9), 0, 300), _sender(9), 0, 0, 0)
    assert caught.value.code is PoolErrorCode.POOL_FULL
    assert pool.statistics()["bytes"] == 900


def test_transactions_leave_when_their_era_ends_and_futures_after_their_lifetime() -> None:
    """A mortal transaction leaves at its era's end; a future one after 64 blocks of waiting."""
    pool = TransactionPool()
    mortal, waiting = _sender(1), _sender(2)
    pool.submit(_raw(mortal, 0), mortal, 0, 0, 0, block=3, expires_at=10)
    pool.submit(_raw(waiting, 7), waiting, 7, 0, 0, block=3)
    assert pool.expire(9) == []
    assert pool.expire(10) == [blake2_256(_raw(mortal, 0))]
    assert pool.expire(3 + FUTURE_LIFETIME_BLOCKS) == [blake2_256(_raw(waiting, 7))]
    assert len(pool) == 0 and pool.statistics()["future"] == 0


def test_the_node_drops_a_gap_that_never_fills_and_tells_its_watcher() -> None:
    """A future transaction leaves the node's pool after 64 blocks; its watcher hears dropped."""
    node = make_node()
    alice = keypair_from_uri("//Alice")
    raw = core.sign(
        alice,
        core.transfer_call(keypair_from_uri("//Bob").public_key, PHA, keep_alive=True),
        nonce=1,
        tip=0,
        genesis_hash=node.chain.genesis_hash,
        spec_version=SPEC_VERSION,
        transaction_version=TRANSACTION_VERSION,
    )
    tx_hash = node.submit(raw)
    watcher = node.watch(tx_hash)
    for _ in range(FUTURE_LIFETIME_BLOCKS):
        node.clock.advance(2_000)  # type: ignore[attr-defined]
        node.author_next()
    assert tx_hash not in node.pool
    assert watcher.get_nowait() == TransactionStatus("dropped")
