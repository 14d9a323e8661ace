"""The light client fails closed on every kind of bad data and continues on honest data."""

from __future__ import annotations

from dataclasses import replace

import pytest

from khala.node.chain import Chain
from khala.node.storage import MemoryChainStore
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.finality import Justification, sign_finality
from khala.primitives.scale import codec_of
from khala.runtime.genesis import dev_genesis
from khala.runtime.modules.mq.calls import PingWorkers, PushMessage
from khala.runtime.modules.mq.constants import PING_TOPIC
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.version import SPEC_VERSION
from khala.sdk import core
from khala.worker.light_client import LightClient, SyncBlock, SyncError, SyncErrorCode

AUTHORITY = keypair_from_uri("//Alice", KeyScheme.ED25519)
ALICE = keypair_from_uri("//Alice")
JUSTIFICATION = codec_of(Justification)


def _chain_with_blocks() -> tuple[Chain, list[SyncBlock]]:
    chain = Chain(MemoryChainStore(), dev_genesis())
    pushes = [
        core.sign(
            ALICE,
            call,
            nonce=nonce,
            tip=0,
            genesis_hash=chain.genesis_hash,
            spec_version=SPEC_VERSION,
            transaction_version=1,
        )
        for nonce, call in enumerate(
            [PushMessage(PING_TOPIC, b"hi"), Sudo(PingWorkers(b"governance asks"))]
        )
    ]
    for slot in range(1, 4):
        candidates = pushes if slot == 2 else []
        chain.author(
            AUTHORITY, slot=slot, now_ms=1_700_000_000_000 + slot * 2000, candidates=candidates
        )
    blocks = []
    for number in range(4):
        block_hash = chain.store.hash_at(number)
        assert block_hash is not None
        header = chain.store.header(block_hash)
        assert header is not None
        blocks.append(
            SyncBlock(
                header, chain.store.justification(block_hash), chain.store.changes(block_hash) or {}
            )
        )
    return chain, blocks


def test_honest_sync_reaches_the_node_state_and_reads_messages() -> None:
    """All blocks verify, the state root matches the node's, and block 2's message is read."""
    chain, blocks = _chain_with_blocks()
    client = LightClient(chain.genesis_hash)
    messages = [client.import_block(block) for block in blocks]
    assert client.height == 3
    assert client.trie.root_hash() == chain.head.state_root
    assert [message.payload for message in messages[2]] == [b"hi", b"governance asks"]
    assert messages[3] == []


def _attack(blocks: list[SyncBlock], bad: SyncBlock, code: SyncErrorCode) -> None:
    chain_hash = blocks[0].header.hash()
    client = LightClient(chain_hash)
    client.import_block(blocks[0])
    client.import_block(blocks[1])
    root, head = client.trie.root_hash(), client.head
    with pytest.raises(SyncError) as caught:
        client.import_block(bad)
    assert caught.value.code is code
    assert client.head == head and client.trie.root_hash() == root
    client.import_block(blocks[2])
    client.import_block(blocks[3])
    assert client.height == 3


def test_tampered_storage_change_is_refused() -> None:
    """A changed value in the storage changes gives another state root."""
    _, blocks = _chain_with_blocks()
    key = next(iter(blocks[2].changes))
    tampered = replace(blocks[2], changes={**blocks[2].changes, key: b"\x00evil"})
    _attack(blocks, tampered, SyncErrorCode.STATE_ROOT_MISMATCH)


def test_dropped_storage_change_is_refused() -> None:
    """Withholding one change also gives another state root."""
    _, blocks = _chain_with_blocks()
    changes = dict(blocks[2].changes)
    changes.pop(next(key for key, value in changes.items() if value is not None))
    _attack(blocks, replace(blocks[2], changes=changes), SyncErrorCode.STATE_ROOT_MISMATCH)


@pytest.mark.parametrize("kind", ["forged", "missing", "under_signed", "other_block", "garbage"])
def test_bad_justifications_are_refused(kind: str) -> None:
    """Forged, missing, under-signed, misdirected or malformed justifications are refused."""
    _, blocks = _chain_with_blocks()
    header = blocks[2].header
    if kind == "forged":
        justification: bytes | None = JUSTIFICATION.encode(
            sign_finality(
                [keypair_from_uri("//Bob", KeyScheme.ED25519)], header.hash(), header.number, 0
            )
        )
    elif kind == "missing":
        justification = None
    elif kind == "under_signed":
        justification = JUSTIFICATION.encode(Justification(header.hash(), header.number, 0, []))
    elif kind == "other_block":
        justification = blocks[1].justification
    else:
        justification = b"\x01\x02"
    code = (
        SyncErrorCode.MISSING_JUSTIFICATION
        if kind == "missing"
        else SyncErrorCode.BAD_JUSTIFICATION
    )
    _attack(blocks, replace(blocks[2], justification=justification), code)


def test_wrong_parent_and_withheld_blocks_are_refused() -> None:
    """A header not on our head, or a gap (a withheld block), is refused."""
    _, blocks = _chain_with_blocks()
    orphan = replace(blocks[2], header=replace(blocks[2].header, parent_hash=b"\x09" * 32))
    _attack(blocks, orphan, SyncErrorCode.WRONG_PARENT)
    _attack(blocks, blocks[3], SyncErrorCode.WRONG_NUMBER)


def test_wrong_genesis_is_refused() -> None:
    """A block 0 from another chain is refused before anything is stored."""
    chain, blocks = _chain_with_blocks()
    client = LightClient(b"\x01" * 32)
    with pytest.raises(SyncError) as caught:
        client.import_block(blocks[0])
    assert caught.value.code is SyncErrorCode.GENESIS_MISMATCH and client.height == -1
    honest = LightClient(chain.genesis_hash)
    with pytest.raises(SyncError) as caught:
        honest.import_block(replace(blocks[0], changes={**blocks[0].changes, b"extra": b"1"}))
    assert caught.value.code is SyncErrorCode.GENESIS_MISMATCH
