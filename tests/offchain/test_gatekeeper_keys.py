"""Master key handling: deterministic derivations, sealed distribution, identical messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from khala.offchain.gatekeeper_queue import (
    DistributeIntent,
    GatekeeperQueue,
    SettleIntent,
)
from khala.offchain.master_key import message_iv, open_master_key, signing_key
from khala.primitives.crypto.envelope import x25519_public_key
from khala.primitives.crypto.errors import EnvelopeError
from khala.primitives.scale import decode, encode
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.modules.mq.calls import SyncOffchainMessage
from khala.runtime.modules.registry.calls import RegisterGatekeeper
from khala.runtime.modules.registry.constants import MASTER_PUBKEY_TOPIC
from khala.runtime.modules.registry.types import MasterKeyDistribution, MasterPubkeyUpload
from tests.runtime.test_mining_messages import Mining
from tests.runtime.test_registry import RELAYER, WORKER

MASTER = b"\x33" * 32
NEWCOMER = b"\x44" * 32
NEWCOMER_ECDH_SECRET = b"\x45" * 32


def test_derivations_are_deterministic_and_distinct() -> None:
    """The same master gives the same keys; IVs differ per block and counter."""
    assert signing_key(MASTER) == signing_key(MASTER)
    assert signing_key(MASTER).public_key != signing_key(b"\x34" * 32).public_key
    ivs = {message_iv(MASTER, block, counter) for block in range(3) for counter in range(3)}
    assert len(ivs) == 9


def test_distribution_opens_only_for_its_recipient() -> None:
    """The envelope carries the master key to the named gatekeeper and nobody else."""
    queue = GatekeeperQueue()
    queue.push(DistributeIntent(NEWCOMER, x25519_public_key(NEWCOMER_ECDH_SECRET), 7, 0))
    (signed,) = queue.signed(MASTER)
    distribution = decode(MasterKeyDistribution, signed.message.payload)
    assert open_master_key(NEWCOMER_ECDH_SECRET, NEWCOMER, distribution.envelope) == MASTER
    with pytest.raises(EnvelopeError):
        open_master_key(NEWCOMER_ECDH_SECRET, b"\x46" * 32, distribution.envelope)
    with pytest.raises(EnvelopeError):
        open_master_key(b"\x47" * 32, NEWCOMER, distribution.envelope)


def test_replicas_emit_identical_messages_and_only_the_first_lands(tmp_path: Path) -> None:
    """Two gatekeepers with the same intents sign byte-identical messages; the copy is refused."""
    chain = Mining(tmp_path)
    chain.root(RegisterGatekeeper(WORKER.public_key))
    upload = MasterPubkeyUpload(signing_key(MASTER).public_key)
    assert chain.message(MASTER_PUBKEY_TOPIC, encode(upload))[0] is None
    first, second = GatekeeperQueue(), GatekeeperQueue()
    for queue in (first, second):
        queue.push(DistributeIntent(NEWCOMER, x25519_public_key(NEWCOMER_ECDH_SECRET), 9, 0))
        queue.push(SettleIntent(b""))
    mine, theirs = first.signed(MASTER), second.signed(MASTER)
    assert [encode(m) for m in mine] == [encode(m) for m in theirs]
    assert chain.submit(SyncOffchainMessage(mine[0]))[0] is None
    copy = chain.harness.sign(
        RELAYER, SyncOffchainMessage(theirs[0]), nonce=chain.nonce[RELAYER.public_key]
    )
    with pytest.raises(InvalidTransactionError) as caught:  # refused before it costs a fee
        chain.harness.executive.validate_transaction(
            chain.harness.state(), copy, chain.harness.head.number + 1
        )
    assert caught.value.code is InvalidTransactionCode.STALE


def test_queue_state_round_trips() -> None:
    """A checkpointed queue continues with the same sequences and pending intents."""
    queue = GatekeeperQueue()
    queue.push(SettleIntent(b"a"))
    queue.push(SettleIntent(b"b"))
    queue.purge(1)
    restored = GatekeeperQueue(decode(type(queue.state()), encode(queue.state())))
    assert restored.next_sequence == 2 and restored.pending == {1: SettleIntent(b"b")}
