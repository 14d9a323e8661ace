"""SS58 addresses equal substrate-interface's for every prefix form; bad input is typed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from substrateinterface.utils.ss58 import ss58_decode as their_decode
from substrateinterface.utils.ss58 import ss58_encode as their_encode

from khala.primitives.ss58 import (
    KHALA_PREFIX,
    Ss58Error,
    Ss58ErrorCode,
    base58_encode,
    ss58_decode,
    ss58_encode,
)

ALICE = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")

_prefixes = st.integers(0, 16383).filter(lambda prefix: prefix not in (46, 47))


def test_alice_addresses() -> None:
    """Alice's generic and khala addresses are the published ones."""
    assert ss58_encode(ALICE, 42) == "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
    khala = ss58_encode(ALICE)
    assert khala.startswith("4")
    assert ss58_decode(khala, expected_prefix=KHALA_PREFIX) == (30, ALICE)


@given(st.binary(min_size=32, max_size=32), _prefixes)
def test_encode_equals_substrate_interface(key: bytes, prefix: int) -> None:
    """One- and two-byte prefixes encode exactly as substrate-interface, and decode back."""
    ours = ss58_encode(key, prefix)
    assert ours == their_encode(key, ss58_format=prefix)
    assert ss58_decode(ours) == (prefix, key)
    assert bytes.fromhex(their_decode(ours, valid_ss58_format=prefix)) == key


@pytest.mark.parametrize("length", [1, 2, 4, 8, 33])
def test_short_and_long_payloads(length: int) -> None:
    """Account indices and 33-byte keys use their checksum lengths and round-trip."""
    payload = bytes(range(1, length + 1))
    assert ss58_decode(ss58_encode(payload, 2)) == (2, payload)


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ", Ss58ErrorCode.INVALID_CHECKSUM),
        ("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ", Ss58ErrorCode.INVALID_PREFIX),
        (base58_encode(b"\x2a" + bytes(31) + b"\x00\x00"), Ss58ErrorCode.INVALID_LENGTH),
        ("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut0Y", Ss58ErrorCode.INVALID_CHARACTER),
        ("", Ss58ErrorCode.INVALID_LENGTH),
    ],
)
def test_bad_addresses_are_typed(address: str, code: Ss58ErrorCode) -> None:
    """Typos, truncation and foreign characters raise their own codes."""
    with pytest.raises(Ss58Error) as caught:
        ss58_decode(address)
    assert caught.value.code is code


def test_wrong_network_and_reserved_prefix() -> None:
    """An address of another network, or a reserved prefix, is refused."""
    generic = ss58_encode(ALICE, 42)
    with pytest.raises(Ss58Error) as caught:
        ss58_decode(generic, expected_prefix=KHALA_PREFIX)
    assert caught.value.code is Ss58ErrorCode.WRONG_NETWORK
    with pytest.raises(Ss58Error) as caught:
        ss58_encode(ALICE, 46)
    assert caught.value.code is Ss58ErrorCode.INVALID_PREFIX
    with pytest.raises(Ss58Error) as caught:
        ss58_encode(ALICE[:31], 42)
    assert caught.value.code is Ss58ErrorCode.INVALID_LENGTH


@given(st.text(max_size=60))
def test_random_text_decodes_or_raises_typed(text: str) -> None:
    """Fuzz: arbitrary text is an address or an Ss58Error, nothing else."""
    try:
        prefix, payload = ss58_decode(text)
    except Ss58Error:
        return
    assert ss58_encode(payload, prefix) == text
