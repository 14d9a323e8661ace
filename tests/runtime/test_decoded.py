"""Pool transactions are decoded once and reused only when nothing in them can change."""

from __future__ import annotations

from khala.primitives.crypto import keypair_from_uri
from khala.runtime.decoded import DecodedExtrinsics
from khala.runtime.extrinsic import decode_extrinsic
from khala.runtime.modules.utility.calls import Batch
from khala.sdk import core

ALICE = keypair_from_uri("//Alice")


def _signed(call: object, nonce: int = 0) -> bytes:
    return core.sign(
        ALICE,
        call,
        nonce=nonce,
        tip=0,
        genesis_hash=bytes(32),
        spec_version=1,
        transaction_version=1,
    )


def test_immutable_transfers_are_kept_for_their_block_once() -> None:
    """A validated transfer's decode is handed to the block once, then decoded afresh."""
    raw = _signed(core.transfer_call(bytes(32), 10, keep_alive=True))
    decoded = DecodedExtrinsics()
    kept = decoded.decode_and_keep(raw)
    assert kept == decode_extrinsic(raw)
    assert decoded.take(raw) is kept
    again = decoded.take(raw)
    assert again == kept and again is not kept


def test_calls_holding_lists_are_never_shared() -> None:
    """A batch (a list of calls) is decoded anew each time: a caller could change the list."""
    raw = _signed(Batch([core.transfer_call(bytes(32), 10, keep_alive=True)]))
    decoded = DecodedExtrinsics()
    first = decoded.decode_and_keep(raw)
    assert decoded.take(raw) is not first


def test_the_cache_is_bounded() -> None:
    """Transactions validated but never applied cannot grow the cache past its limit."""
    decoded = DecodedExtrinsics(limit=3)
    raws = [
        _signed(core.transfer_call(bytes(32), 10, keep_alive=True), nonce) for nonce in range(5)
    ]
    kept = [decoded.decode_and_keep(raw) for raw in raws]
    assert decoded.take(raws[4]) is kept[4]
    assert decoded.take(raws[0]) is not kept[0]  # dropped when the limit was reached


def test_a_transfer_validated_twice_is_decoded_once() -> None:
    """The node checks a signature ahead of validation: the second decode reuses the first."""
    raw = _signed(core.transfer_call(bytes(32), 10, keep_alive=True))
    decoded = DecodedExtrinsics()
    first = decoded.decode_and_keep(raw)
    assert decoded.decode_and_keep(raw) is first
    assert decoded.take(raw) is first
