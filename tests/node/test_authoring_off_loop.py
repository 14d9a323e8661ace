"""Block building runs off the event loop: reads go on meanwhile and never see a half block.

Found by measuring: with 400-transfer blocks every 2 s, 50 readers saw stalls of up to 137 ms
per block while the block was built on the RPC event loop.
"""

from __future__ import annotations

import asyncio

from khala.node.chain import Chain
from khala.node.clock import ManualClock
from khala.node.node import Node
from khala.node.storage import MemoryChainStore
from khala.node.txpool import TransactionPool
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.runtime.genesis import dev_genesis
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.system.state import account
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from khala.sdk import core

ALICE = keypair_from_uri("//Alice")


def test_reads_continue_and_stay_consistent_while_a_block_is_built() -> None:
    clock = ManualClock()
    node = Node(
        Chain(MemoryChainStore(), dev_genesis()),
        TransactionPool(),
        keypair_from_uri("//Alice", KeyScheme.ED25519),
        clock,
    )
    for nonce in range(300):
        dest = nonce.to_bytes(2, "big") * 16
        node.submit(
            core.sign(
                ALICE,
                core.transfer_call(dest, EXISTENTIAL_DEPOSIT, keep_alive=False),
                nonce=nonce,
                tip=0,
                genesis_hash=node.chain.genesis_hash,
                spec_version=SPEC_VERSION,
                transaction_version=TRANSACTION_VERSION,
            )
        )
    before = account(node.chain.best_state(), ALICE.public_key).nonce
    seen: list[tuple[int, int]] = []

    async def scenario() -> None:
        clock.advance(2_000)
        building = asyncio.create_task(node.author_next_async())
        while not building.done():
            head = node.chain.head.number
            nonce = account(node.chain.best_state(), ALICE.public_key).nonce
            seen.append((head, nonce))
            await asyncio.sleep(0)
        authored = await building
        assert len(authored.built.included) == 300

    asyncio.run(scenario())
    during = [pair for pair in seen if pair[0] == 0]
    assert during, "no read was answered while the block was being built"
    assert all(nonce == before for _, nonce in during)  # the old head, whole
    assert all(nonce == 300 for head, nonce in seen if head == 1)  # or the new one, whole
    assert account(node.chain.best_state(), ALICE.public_key).nonce == 300
