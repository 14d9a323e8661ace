"""The message queue: sequences, signatures, routing to outbound messages, per-block clearing."""

from __future__ import annotations

from pathlib import Path

import pytest

from khala.primitives.crypto import KeyScheme, keypair_from_seed
from khala.primitives.scale import Err
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.modules.mq import state as mq_state
from khala.runtime.modules.mq.calls import (
    PingWorkers,
    PushMessage,
    SyncOffchainMessage,
    signed_payload,
)
from khala.runtime.modules.mq.constants import (
    MAX_FUTURE_SEQUENCES,
    MAX_PING_PAYLOAD,
    PING_SENDER,
    PING_TOPIC,
)
from khala.runtime.modules.mq.events import OffchainMessageAccepted
from khala.runtime.modules.mq.types import (
    AccountOrigin,
    Message,
    PalletOrigin,
    SignedMessage,
    WorkerOrigin,
)
from khala.runtime.modules.sudo.events import Sudid
from tests.runtime.test_registry import ALICE, RELAYER, WORKER, Chain


def _signed(
    sequence: int, payload: bytes = b"hello", key=WORKER, topic: bytes = b"khala/worker/pong"
) -> SignedMessage:  # type: ignore[no-untyped-def]
    message = Message(WorkerOrigin(WORKER.public_key), topic, payload)
    return SignedMessage(message, sequence, key.sign(signed_payload(message, sequence)))


@pytest.fixture
def chain(tmp_path: Path) -> Chain:
    registered = Chain(tmp_path)
    info = registered.info()
    registered.register(info, registered.attestation(info))
    return registered


def test_worker_messages_need_the_exact_next_sequence(chain: Chain) -> None:
    """Sequence 0 is accepted and delivered; 2 waits outside the block, free; 1 then 2 follow.

    A future sequence used to be included and fail with ``mq.bad_sequence``, costing its
    relayer a fee for a message that would have been valid a block later.
    """
    error, events = chain.submit(SyncOffchainMessage(_signed(0)))
    assert error is None and any(isinstance(event, OffchainMessageAccepted) for event in events)
    outbound = mq_state.OUTBOUND.get(chain.harness.state())
    assert [message.payload for message in outbound] == [b"hello"]
    fee_payer = chain.harness.free(RELAYER)
    ahead = chain.harness.sign(
        RELAYER, SyncOffchainMessage(_signed(2, b"third")), nonce=chain.nonce[RELAYER.public_key]
    )
    chain.harness.executive.validate_transaction(  # the pool takes it
        chain.harness.state(), ahead, chain.harness.head.number + 1
    )
    built = chain.harness.block([ahead])
    assert built.included == [] and built.rejected == [] and built.deferred == [ahead]
    assert chain.harness.free(RELAYER) == fee_payer
    other = chain.harness.sign(
        ALICE, SyncOffchainMessage(_signed(1, b"second")), nonce=chain.nonce[ALICE.public_key]
    )
    chain.nonce[ALICE.public_key] += 1
    chain.nonce[RELAYER.public_key] += 1
    built = chain.harness.block([ahead, other, ahead])  # the pool retries it after the gap
    assert built.included == [other, ahead]
    assert mq_state.next_sequence(chain.harness.state(), WorkerOrigin(WORKER.public_key)) == 3
    outbound = mq_state.OUTBOUND.get(chain.harness.state())
    assert [message.payload for message in outbound] == [b"second", b"third"]


def test_a_sequence_too_far_ahead_is_refused_in_the_pool(chain: Chain) -> None:
    """At most MAX_FUTURE_SEQUENCES ahead may wait: a sender cannot park a long run of gaps."""
    ahead = MAX_FUTURE_SEQUENCES + 1
    raw = chain.harness.sign(
        RELAYER, SyncOffchainMessage(_signed(ahead)), nonce=chain.nonce[RELAYER.public_key]
    )
    with pytest.raises(InvalidTransactionError) as caught:
        chain.harness.executive.validate_transaction(
            chain.harness.state(), raw, chain.harness.head.number + 1
        )
    assert caught.value.code is InvalidTransactionCode.FUTURE
    assert f"more than {MAX_FUTURE_SEQUENCES} ahead" in caught.value.message


def test_replayed_message_is_refused_in_the_pool(chain: Chain) -> None:
    """A message whose sequence was accepted is stale before it costs anything."""
    chain.submit(SyncOffchainMessage(_signed(0)))
    raw = chain.harness.sign(
        RELAYER, SyncOffchainMessage(_signed(0)), nonce=chain.nonce[RELAYER.public_key]
    )
    with pytest.raises(InvalidTransactionError) as caught:
        chain.harness.executive.validate_transaction(
            chain.harness.state(), raw, chain.harness.head.number + 1
        )
    assert caught.value.code is InvalidTransactionCode.STALE


def test_wrong_key_and_unregistered_sender_are_refused(chain: Chain, tmp_path: Path) -> None:
    """A message signed by another key, or from an unregistered worker, is refused."""
    impostor = keypair_from_seed(KeyScheme.SR25519, b"\x07" * 32)
    assert chain.submit(SyncOffchainMessage(_signed(0, key=impostor)))[0] == "mq.bad_signature"
    stranger = Chain(tmp_path / "fresh")
    assert stranger.submit(SyncOffchainMessage(_signed(0)))[0] == "mq.unknown_sender"


def test_outbound_messages_last_one_block_and_onchain_topics_need_a_handler(chain: Chain) -> None:
    """Pushed messages appear in that block only; ``^`` topics without handlers are refused."""
    error, _ = chain.submit(PushMessage(b"khala/worker/ping", b"x"))
    assert error is None
    outbound = mq_state.OUTBOUND.get(chain.harness.state())
    assert outbound[0].sender == AccountOrigin(RELAYER.public_key)
    chain.harness.block([])
    assert mq_state.OUTBOUND.get(chain.harness.state()) == []
    assert chain.submit(PushMessage(b"^nobody", b"x"))[0] == "mq.bad_destination"


def test_only_governance_pings_workers_with_a_tiny_payload(chain: Chain) -> None:
    """An account cannot ping (each pong costs an operator a fee); root pings up to 32 bytes."""
    assert chain.submit(PingWorkers(b"hi"))[0] == "BadOriginError"
    events = chain.sudo(PingWorkers(b"x" * (MAX_PING_PAYLOAD + 1)))
    assert any(isinstance(event, Sudid) and isinstance(event.sudo_result, Err) for event in events)
    chain.sudo(PingWorkers(b"are you there"))
    outbound = mq_state.OUTBOUND.get(chain.harness.state())
    assert [(m.sender, m.destination, m.payload) for m in outbound] == [
        (PalletOrigin(PING_SENDER), PING_TOPIC, b"are you there")
    ]
