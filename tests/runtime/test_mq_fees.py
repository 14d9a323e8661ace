"""Hardening: gatekeeper messages are free only once the pool has proved them; payloads are bounded.

Found by an attacker holding only the existential deposit: a ``sync_offchain_message`` naming
the gatekeeper origin, with any signature and a 4 MB payload, entered a block for free.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from khala.primitives.crypto import KeyScheme, keypair_from_seed
from khala.primitives.scale import encode
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.modules.balances.calls import TransferKeepAlive
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.computation.constants import SETTLE_TOPIC
from khala.runtime.modules.computation.types import WorkingInfoUpdate
from khala.runtime.modules.mq.calls import SyncOffchainMessage, signed_payload
from khala.runtime.modules.mq.constants import MAX_PAYLOAD
from khala.runtime.modules.mq.types import GatekeeperOrigin, Message, SignedMessage
from khala.runtime.modules.payment.events import TransactionFeePaid
from khala.runtime.types import AddressId
from tests.runtime.test_mining_messages import MASTER, Mining
from tests.runtime.test_registry import RELAYER

POOR = keypair_from_seed(KeyScheme.SR25519, b"\x66" * 32)
"""An attacker holding the existential deposit and less than one base fee more."""


@pytest.fixture
def chain(tmp_path: Path) -> Mining:
    mining = Mining(tmp_path)
    mining.publish_master()
    mining.submit(TransferKeepAlive(AddressId(POOR.public_key), EXISTENTIAL_DEPOSIT + 10**8))
    mining.nonce[POOR.public_key] = 0
    return mining


def _gatekeeper(chain: Mining, payload: bytes, *, key=MASTER, sequence: int = 0) -> bytes:  # type: ignore[no-untyped-def]
    message = Message(GatekeeperOrigin(), SETTLE_TOPIC, payload)
    signed = SignedMessage(message, sequence, key.sign(signed_payload(message, sequence)))
    return chain.harness.sign(POOR, SyncOffchainMessage(signed), nonce=chain.nonce[POOR.public_key])


def _validate(chain: Mining, raw: bytes) -> None:
    harness = chain.harness
    harness.executive.validate_transaction(
        harness.state(), raw, harness.head.number + 1, harness.head.hash()
    )


def test_oversized_payloads_never_enter_the_pool(chain: Mining) -> None:
    """A payload over the mq limit is refused before inclusion, whoever claims to send it."""
    raw = _gatekeeper(chain, b"\x00" * (MAX_PAYLOAD + 1), key=POOR)
    with pytest.raises(InvalidTransactionError) as caught:
        _validate(chain, raw)
    assert caught.value.code is InvalidTransactionCode.EXHAUSTS_RESOURCES
    assert chain.harness.block([raw]).included == []


def test_an_unproven_gatekeeper_message_pays_like_any_other(chain: Mining) -> None:
    """A forged gatekeeper message is not free: the poor attacker cannot even pay for it."""
    forged = _gatekeeper(chain, encode(WorkingInfoUpdate(1, [], [], [])), key=POOR)
    with pytest.raises(InvalidTransactionError) as caught:
        _validate(chain, forged)
    assert caught.value.code is InvalidTransactionCode.PAYMENT
    built = chain.harness.block([forged])
    assert built.included == []


def test_a_forged_gatekeeper_message_from_a_funded_account_is_charged(chain: Mining) -> None:
    """Submitted by someone who can pay, the forgery is included, charged, and refused."""
    message = Message(GatekeeperOrigin(), SETTLE_TOPIC, encode(WorkingInfoUpdate(1, [], [], [])))
    signed = SignedMessage(message, 0, POOR.sign(signed_payload(message, 0)))
    error, events = chain.submit(SyncOffchainMessage(signed), signer=RELAYER)
    assert error == "mq.bad_signature"
    fees = [event.actual_fee for event in events if isinstance(event, TransactionFeePaid)]
    assert fees and fees[0] > 0


def test_a_proven_gatekeeper_message_is_free(chain: Mining) -> None:
    """Signed by the master key with the next sequence: free, even for a nearly empty account."""
    proven = _gatekeeper(chain, encode(WorkingInfoUpdate(1, [], [], [])))
    _validate(chain, proven)
    before = chain.harness.free(POOR)
    assert chain.harness.block([proven]).included == [proven]
    assert chain.harness.free(POOR) == before
