"""A submission is validated against one head, even when a block lands mid-validation.

The node seals blocks in a worker thread, which swaps the chain's head while the event loop
validates a submission. Reading the head's state, number and hash separately could mix two
heads: a transaction signed at block N then met block N + 1's hash as its era block and was
refused as ``bad_proof`` (or ``ancient_birth_block``), once in a CI run of three concurrent
CLI votes. Here the block lands right after the first read of the head.
"""

from __future__ import annotations

from typing import Any

from khala.node.chain import Chain
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.runtime.modules.balances.calls import TransferKeepAlive
from khala.runtime.types import AddressId
from khala.sdk import core
from tests.node.rpc_harness import make_node


class _TornChain(Chain):
    """Commits a prepared block right after the first read of the head once armed."""

    landing: Any = None

    @property
    def _tip(self) -> Any:
        value = self.__dict__["_tip_value"]
        landing, self.landing = self.landing, None
        if landing is not None:
            self.commit(landing, None)  # "the sealing thread" swaps the head now
        return value

    @_tip.setter
    def _tip(self, value: Any) -> None:
        self.__dict__["_tip_value"] = value


def test_a_block_landing_during_validation_does_not_refuse_a_good_transaction() -> None:
    node = make_node()
    for _ in range(3):
        node.clock.advance(2_000)  # type: ignore[attr-defined]
        node.author_next()
    chain = node.chain
    chain.__dict__["_tip_value"] = chain.__dict__.pop("_tip")
    chain.__class__ = _TornChain
    head = chain.head
    alice = keypair_from_uri("//Alice")
    raw = core.sign(
        alice,
        TransferKeepAlive(AddressId(keypair_from_uri("//Bob").public_key), 10**12),
        nonce=0,
        tip=0,
        genesis_hash=chain.genesis_hash,
        spec_version=chain.release_at().spec_version,
        transaction_version=1,
        era=core.mortal_era(head.number),
        era_block_hash=chain.head_hash,
    )
    node.clock.advance(2_000)  # type: ignore[attr-defined]
    slot, now_ms, _ = node._prepare()
    author = keypair_from_uri("//Alice", KeyScheme.ED25519)
    builder = chain.start_block(author, slot=slot, now_ms=now_ms)
    chain.landing = chain.seal(author, builder)  # type: ignore[attr-defined]
    node.submit(raw)  # validated against block 3 or block 4, never a mix of both
    assert chain.head.number == head.number + 1 and len(node.pool) == 1
