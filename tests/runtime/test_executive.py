"""The executive refuses bad transactions with typed codes and writes nothing for them.

Failed calls keep fee and nonce; inherents are mandatory.
"""

from __future__ import annotations

import pytest

from khala.primitives.crypto import keypair_from_uri
from khala.primitives.scale import Ok
from khala.runtime.builder import timestamp_inherent
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.executive import BlockError, BlockErrorCode
from khala.runtime.extrinsic import Era
from khala.runtime.modules.balances.calls import ForceSetBalance
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.payment.constants import TREASURY_ACCOUNT
from khala.runtime.modules.payment.events import TransactionFeePaid
from khala.runtime.modules.payment.fees import compute_fee
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.sudo.events import Sudid
from khala.runtime.modules.system.calls import Remark
from khala.runtime.modules.system.events import ExtrinsicFailed, ExtrinsicSuccess
from khala.runtime.presets import KHALA
from khala.runtime.state import State
from khala.runtime.types import AddressId, Pays
from tests.runtime.harness import PHA, Harness, ed, sr

ALICE, BOB, CHARLIE = ed("Alice"), ed("Bob"), sr("Charlie")


def _harness() -> Harness:
    return Harness({ALICE.public_key: 1000 * PHA, BOB.public_key: 10 * PHA}, sudo=ALICE.public_key)


def _refused(harness: Harness, raw: bytes) -> InvalidTransactionError:
    """Validate against the head: must raise, and the accounts must not change."""
    before = harness.account(ALICE), harness.account(BOB)
    state = harness.state()
    with pytest.raises(InvalidTransactionError) as caught:
        harness.executive.validate_transaction(state, raw, harness.head.number + 1)
    assert state.changes() == {}
    built = harness.block([raw])
    assert built.included == []
    assert [error.code for _, error in built.rejected] == [caught.value.code]
    assert (harness.account(ALICE).nonce, harness.account(BOB)) == (before[0].nonce, before[1])
    return caught.value


def test_transfer_charges_fee_splits_it_and_emits_frame_events() -> None:
    """A transfer moves the amount, charges the documented fee and pays treasury and author."""
    harness = _harness()
    raw = harness.transfer(ALICE, BOB, 5 * PHA, nonce=0)
    built = harness.block([raw])
    assert built.included == [raw]
    fee = compute_fee(len(raw), 200_000_000, Pays.YES)
    events = harness.events()
    paid = [event for event in events if isinstance(event, TransactionFeePaid)]
    assert paid[0].actual_fee == fee
    assert harness.free(BOB) == 15 * PHA
    # Alice authored the block, so she receives the 20 % author share back.
    assert harness.free(ALICE) == 1000 * PHA - 5 * PHA - fee + (fee - fee * 80 // 100)
    assert harness.account(ALICE).nonce == 1
    assert isinstance(events[-1], ExtrinsicSuccess)


def test_bad_signature_is_refused() -> None:
    """A signature by another key over the same payload is a bad proof."""
    harness = _harness()
    raw = bytearray(harness.transfer(ALICE, BOB, PHA, nonce=0))
    raw[-20] ^= 1  # corrupt the call's bytes, which the signature covers
    assert _refused(harness, bytes(raw)).code is InvalidTransactionCode.BAD_PROOF


def test_wrong_genesis_in_signed_payload_is_refused() -> None:
    """Signing for another chain's genesis hash fails verification."""
    harness = _harness()
    raw = harness.sign(ALICE, Remark(b""), nonce=0, genesis_hash=b"\x01" * 32)
    assert _refused(harness, raw).code is InvalidTransactionCode.BAD_PROOF


def test_stale_and_future_nonces() -> None:
    """A used nonce is stale; a block refuses nonces ahead of the account (the pool keeps them)."""
    harness = _harness()
    harness.block([harness.transfer(ALICE, BOB, PHA, nonce=0)])
    assert (
        _refused(harness, harness.transfer(ALICE, BOB, PHA, nonce=0)).code
        is InvalidTransactionCode.STALE
    )
    future = harness.transfer(ALICE, BOB, PHA, nonce=5)
    checked = harness.executive.validate_transaction(
        harness.state(), future, harness.head.number + 1
    )
    assert checked.nonce == 5
    built = harness.block([future])
    assert built.included == [] and built.rejected == []  # not in the block, not dropped


def test_unpayable_fee_is_refused() -> None:
    """An account that cannot pay the fee and keep the existential deposit is refused."""
    harness = Harness({ALICE.public_key: 1000 * PHA, BOB.public_key: EXISTENTIAL_DEPOSIT})
    raw = harness.transfer(BOB, ALICE, 1, nonce=0)
    assert _refused(harness, raw).code is InvalidTransactionCode.PAYMENT


def test_unknown_call_and_oversize_are_refused() -> None:
    """Unknown call indices and extrinsics over the size limit are refused before decoding."""
    harness = _harness()
    assert _refused(harness, b"\x0c\x04\xee\x00").code is InvalidTransactionCode.CALL
    huge = harness.sign(ALICE, Remark(b"x" * (4 * 1024 * 1024 + 1)), nonce=0)
    assert _refused(harness, huge).code is InvalidTransactionCode.EXHAUSTS_RESOURCES


def test_transfer_below_existential_deposit_fails_but_charges_fee() -> None:
    """Creating an account below 0.01 PHA fails the call; fee and nonce stay charged."""
    harness = _harness()
    raw = harness.transfer(ALICE, CHARLIE, EXISTENTIAL_DEPOSIT - 1, nonce=0)
    harness.block([raw])
    failed = [event for event in harness.events() if isinstance(event, ExtrinsicFailed)]
    assert len(failed) == 1
    assert harness.free(CHARLIE) == 0
    assert harness.account(ALICE).nonce == 1
    assert harness.free(ALICE) < 1000 * PHA


def test_keep_alive_refuses_to_reap_and_allow_death_reaps() -> None:
    """keep_alive fails rather than leave dust; allow_death reaps the sender and burns dust."""
    harness = _harness()
    fee = compute_fee(len(harness.transfer(BOB, ALICE, 1, nonce=0)), 200_000_000, Pays.YES)
    everything = 10 * PHA - fee - EXISTENTIAL_DEPOSIT // 2
    harness.block([harness.transfer(BOB, ALICE, everything, nonce=0, keep_alive=True)])
    assert any(isinstance(event, ExtrinsicFailed) for event in harness.events())
    harness.block([harness.transfer(BOB, ALICE, everything - fee, nonce=1)])
    assert harness.account(BOB).providers == 0
    names = [type(event).__name__ for event in harness.events()]
    assert "DustLost" in names and "KilledAccount" in names


def test_sudo_exists_only_on_dev() -> None:
    """Sudo runs root calls on dev; the khala preset refuses sudo calls as unknown."""
    harness = _harness()
    call = Sudo(ForceSetBalance(AddressId(CHARLIE.public_key), 7 * PHA))
    harness.block([harness.sign(ALICE, call, nonce=0)])
    assert harness.free(CHARLIE) == 7 * PHA
    assert Sudid(Ok(())) in harness.events()  # the inner call succeeded
    production = Harness({ALICE.public_key: 1000 * PHA}, preset=KHALA)
    raw = production.sign(ALICE, call, nonce=0)
    with pytest.raises(InvalidTransactionError) as caught:
        production.executive.validate_transaction(production.state(), raw, 1)
    assert caught.value.code is InvalidTransactionCode.CALL


def test_non_sudo_signer_gets_require_sudo() -> None:
    """A sudo call by another account fails with sudo.require_sudo (fee charged)."""
    harness = _harness()
    call = Sudo(Remark(b""))
    harness.block([harness.sign(BOB, call, nonce=0)])
    failed = [event for event in harness.events() if isinstance(event, ExtrinsicFailed)]
    assert failed and failed[0].dispatch_error.error.index == 99  # type: ignore[attr-defined]


def test_mortal_era_uses_birth_block_hash() -> None:
    """A mortal transaction must be signed over its birth block's hash."""
    harness = _harness()
    harness.block([])
    harness.block([])
    era = Era.mortal(64, 2)
    assert era.birth(3) == 2
    block_two, block_one = harness.head.hash(), harness.head.parent_hash
    good = harness.sign(ALICE, Remark(b""), nonce=0, era=era, era_hash=block_two)
    assert harness.block([good]).included == [good]
    bad = harness.sign(ALICE, Remark(b""), nonce=1, era=Era.mortal(64, 2), era_hash=block_one)
    assert harness.block([bad]).rejected[0][1].code is InvalidTransactionCode.BAD_PROOF


def test_pool_accepts_a_mortal_era_born_at_the_head() -> None:
    """A wallet signs against the head: the pool checks the era with the head's own hash.

    Found with @polkadot/api: its transfers were refused as ``ancient_birth_block`` because
    the head's hash enters ``System.BlockHash`` only when the next block starts.
    """
    harness = _harness()
    harness.block([])
    harness.block([])
    head = harness.head
    era = Era.mortal(64, head.number)
    raw = harness.sign(ALICE, Remark(b""), nonce=0, era=era, era_hash=head.hash())
    checked = harness.executive.validate_transaction(
        harness.state(), raw, head.number + 1, head.hash()
    )
    assert checked.longevity == era.death(head.number + 1) - (head.number + 1)
    assert harness.block([raw]).included == [raw]
    forged = harness.sign(ALICE, Remark(b""), nonce=1, era=era, era_hash=head.parent_hash)
    with pytest.raises(InvalidTransactionError) as caught:
        harness.executive.validate_transaction(harness.state(), forged, head.number + 2)
    assert caught.value.code is InvalidTransactionCode.BAD_PROOF


def test_block_without_timestamp_is_invalid() -> None:
    """Finalizing a block that never set the time fails with block.bad_inherent."""
    harness = _harness()
    from khala.primitives.types import Header
    from khala.runtime.builder import slot_digest

    header = Header(harness.head.hash(), 1, bytes(32), bytes(32), [slot_digest(1)])
    execution = harness.executive.initialize_block(State(harness.trie), header)
    with pytest.raises(BlockError) as caught:
        harness.executive.finalize_block(execution)
    assert caught.value.code is BlockErrorCode.BAD_INHERENT
    execution = harness.executive.initialize_block(State(harness.trie), header)
    harness.executive.apply_extrinsic(execution, timestamp_inherent(1))
    with pytest.raises(InvalidTransactionError):
        harness.executive.apply_extrinsic(execution, timestamp_inherent(2))


def test_treasury_receives_fee_share() -> None:
    """The treasury account receives 80 % of every fee."""
    harness = _harness()
    from khala.runtime.modules.system.state import account

    before = account(harness.state(), TREASURY_ACCOUNT).data.free
    raw = harness.transfer(ALICE, BOB, PHA, nonce=0)
    harness.block([raw])
    fee = compute_fee(len(raw), 200_000_000, Pays.YES)
    assert account(harness.state(), TREASURY_ACCOUNT).data.free == before + fee * 80 // 100


def test_keypair_helper_matches_uri() -> None:
    """The harness's sr25519 accounts are the standard dev accounts."""
    assert CHARLIE.public_key == keypair_from_uri("//Charlie").public_key


def test_import_refuses_blocks_stamped_too_far_ahead() -> None:
    """A block whose timestamp is more than 30 s ahead of the importer's clock is refused."""
    from dataclasses import replace

    from khala.primitives.trie import Layout, Trie

    harness = _harness()
    parent_root = harness.head.state_root
    built = harness.block([])
    unsealed = replace(built.block.header)
    moment = harness.now_ms
    for local, refused in ((moment - 31_000, True), (moment - 29_000, False)):
        trie = Trie(harness.trie.store, Layout.V1, parent_root)
        block = replace(built.block, header=unsealed)
        if refused:
            with pytest.raises(BlockError) as caught:
                harness.executive.execute_block(trie, block, local_time_ms=local)
            assert caught.value.code is BlockErrorCode.BAD_INHERENT
        else:
            harness.executive.execute_block(trie, block, local_time_ms=local)
