"""The transfer benchmark's re-import replays every block, also the empty ones between.

The engine seals a block whenever its timer fires, so a block with only the timestamp can
sit between two blocks of transfers (more often since submissions wait for the signature
process). The re-import once skipped it and refused the next block's state root.
"""

from __future__ import annotations

from pathlib import Path

from khala.bench.node_process import bench_genesis
from khala.bench.transfers import reimport
from khala.node.chain import Chain
from khala.node.clock import ManualClock
from khala.node.node import Node
from khala.node.storage import MemoryChainStore
from khala.node.txpool import TransactionPool
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.hashing import blake2_256
from khala.runtime.genesis import parse_genesis_config
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.sdk import core
from khala.sdk.types import BlockInfo


def test_an_empty_block_between_counted_blocks_is_imported_untimed(tmp_path: Path) -> None:
    document = bench_genesis(tmp_path / "genesis.json", senders=1)
    chain = Chain(MemoryChainStore(), parse_genesis_config(document))
    clock = ManualClock()
    node = Node(chain, TransactionPool(64), keypair_from_uri("//Alice", KeyScheme.ED25519), clock)
    sender = keypair_from_uri("//bench/0")
    blocks: dict[int | bytes, BlockInfo] = {}
    for number, transfers in ((1, 2), (2, 0), (3, 3)):
        for _ in range(transfers):
            nonce = node.next_nonce(sender.public_key)
            call = core.transfer_call(
                blake2_256(nonce.to_bytes(4, "little")), EXISTENTIAL_DEPOSIT, keep_alive=False
            )
            node.submit(
                core.sign(
                    sender,
                    call,
                    nonce=nonce,
                    tip=0,
                    genesis_hash=chain.genesis_hash,
                    spec_version=chain.release_at().spec_version,
                    transaction_version=1,
                )
            )
        clock.advance(6_000)
        authored = node.author_next()
        assert authored.header.number == number
        assert len(authored.built.included) == transfers
        info = BlockInfo(
            authored.block_hash, authored.header, authored.built.block.extrinsics, None
        )
        blocks[number] = blocks[authored.block_hash] = info
    counted = [blocks[1].block_hash, blocks[3].block_hash]
    timings = reimport(blocks.__getitem__, document, counted, tmp_path / "scratch")
    assert timings["transfers"] == 2 + 3  # the counted blocks' transfers, not block 2's
    assert timings["execute"] > 0
