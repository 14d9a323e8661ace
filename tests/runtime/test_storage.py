"""Typed storage items use FRAME's keys and read back typed values."""

from __future__ import annotations

from dataclasses import replace

from substrateinterface.utils.hasher import blake2_128_concat, xxh128

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import U32, U64, codec_of
from khala.primitives.trie import Trie
from khala.runtime.events import EventRecord, encode_records, record
from khala.runtime.modules.balances import events as balances_events
from khala.runtime.modules.system import events as system_events
from khala.runtime.modules.system.state import ACCOUNT, EMPTY_ACCOUNT, EVENTS
from khala.runtime.state import State
from khala.runtime.storage import StorageDoubleMap, StorageMap, StorageValue
from khala.runtime.types import ApplyExtrinsic, Finalization, Initialization

ALICE = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")


def test_system_account_key_is_frame_layout() -> None:
    """System.Account[Alice] is twox128 ++ twox128 ++ blake2_128_concat, as polkadot.js builds."""
    expected = xxh128(b"System") + xxh128(b"Account") + blake2_128_concat(ALICE)
    assert ACCOUNT.key_of(ALICE) == bytes(expected)
    assert ACCOUNT.get(State(Trie()), ALICE) == EMPTY_ACCOUNT


def test_value_map_and_double_map_round_trip_and_iterate() -> None:
    """Values, maps and double maps store, read, iterate by key and remove."""
    state = State(Trie())
    value: StorageValue[int] = StorageValue("Test", "Value", U32, 7)
    assert value.get(state) == 7
    value.put(state, 9)
    assert value.get(state) == 9
    mapping: StorageMap[int, int] = StorageMap(
        "Test", "Map", StorageHasher.TWOX64_CONCAT, U32, U64, 0
    )
    for key in (3, 1, 2):
        mapping.insert(state, key, key * 10)
    assert sorted(mapping.iter(state)) == [(1, 10), (2, 20), (3, 30)]
    assert mapping.contains(state, 2) and not mapping.contains(state, 4)
    mapping.remove(state, 2)
    assert mapping.get(state, 2) == 0
    double: StorageDoubleMap[int, int, int] = StorageDoubleMap(
        "Test",
        "Double",
        (StorageHasher.BLAKE2_128_CONCAT, U32),
        (StorageHasher.TWOX64_CONCAT, U32),
        U32,
        0,
    )
    double.insert(state, 1, 5, 50)
    double.insert(state, 1, 6, 60)
    double.insert(state, 2, 5, 99)
    assert sorted(double.iter_prefix(state, 1)) == [(5, 50), (6, 60)]
    assert double.get(state, 2, 5) == 99


def test_optional_items_store_the_plain_value_like_frame() -> None:
    """An OptionQuery item stores V itself (no Option tag) and None removes the key."""
    state = State(Trie())
    optional: StorageValue[int | None] = StorageValue("Test", "Maybe", U32 | None, None)
    assert optional.get(state) is None
    optional.put(state, 5)
    assert state.get(optional.key) == (5).to_bytes(4, "little")
    assert optional.get(state) == 5
    optional.put(state, None)
    assert state.get(optional.key) is None


def test_decoded_values_are_shared_only_when_immutable() -> None:
    """Cached decodes never leak a mutation: lists come fresh, accounts follow every write."""
    state = State(Trie())
    listed: StorageValue[list[int]] = StorageValue("Test", "Listed", list[U32], [])
    listed.put(state, [1, 2])
    first = listed.get(state)
    first.append(3)  # a careless reader changes what it got
    assert listed.get(state) == [1, 2]
    assert listed.get(state) is not listed.get(state)
    ACCOUNT.insert(state, ALICE, EMPTY_ACCOUNT)
    assert ACCOUNT.get(state, ALICE) is ACCOUNT.get(state, ALICE)  # one decode, shared
    richer = replace(EMPTY_ACCOUNT, nonce=5)
    ACCOUNT.insert(state, ALICE, richer)
    assert ACCOUNT.get(state, ALICE) == richer


def test_events_encode_as_the_list_of_event_records() -> None:
    """Block-end event encoding writes exactly FRAME's ``Vec<EventRecord>`` bytes."""
    first, second = ApplyExtrinsic(0), ApplyExtrinsic(1)
    events = [
        (Initialization(), balances_events.Deposit(ALICE, 5)),
        (first, system_events.NewAccount(ALICE)),
        (first, balances_events.Transfer(ALICE, bytes(32), 1 << 100)),
        (second, balances_events.Withdraw(ALICE, 7)),
        (Finalization(), system_events.KilledAccount(ALICE)),
    ]
    expected = codec_of(list[EventRecord]).encode([record(phase, event) for phase, event in events])
    assert encode_records(events) == expected
    assert encode_records([]) == b"\x00"
    state = State(Trie())
    EVENTS.put_encoded(state, encode_records(events))
    assert [(item.phase, item.event) for item in EVENTS.get(state)] == events
