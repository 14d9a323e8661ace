"""Extrinsic v4 and era encodings agree with Substrate; malformed bytes get typed refusals."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfiguration
from scalecodec.type_registry import load_type_registry_preset

from khala.primitives.scale import codec_of
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.extrinsic import Era, EraCodec, SignedExtra, decode_extrinsic, signing_payload
from khala.runtime.modules.system.calls import Remark
from tests.runtime.harness import Harness, ed

ERA = EraCodec()


@pytest.fixture(scope="module")
def scale_runtime() -> RuntimeConfiguration:
    config = RuntimeConfiguration()
    config.update_type_registry(load_type_registry_preset("legacy"))
    return config


@given(st.integers(2, 16), st.integers(0, 10**7))
def test_mortal_era_bytes_equal_scalecodec(
    scale_runtime: RuntimeConfiguration, power: int, current: int
) -> None:
    """A mortal era encodes as scalecodec's Era of the same period and phase, and decodes back."""
    era = Era.mortal(1 << power, current)
    raw = ERA.encode(era)
    theirs = scale_runtime.create_scale_object("Era").encode((era.period, era.phase))
    assert raw == bytes(theirs.data)
    assert ERA.decode(raw) == era
    assert era.birth(current) <= current < era.death(current)


def test_immortal_era() -> None:
    """The immortal era is one zero byte and never dies."""
    assert ERA.encode(Era()) == b"\x00"
    assert Era().birth(123) == 0


def test_signed_extrinsic_roundtrips_and_long_payloads_are_hashed() -> None:
    """A signed extrinsic decodes to its parts; payloads over 256 bytes are signed as a hash."""
    harness = Harness({ed("Alice").public_key: 10**15})
    call = Remark(b"x" * 300)
    raw = harness.sign(ed("Alice"), call, nonce=3, tip=5)
    decoded = decode_extrinsic(raw)
    assert decoded.call == call
    assert decoded.signature is not None and decoded.signature.extra == SignedExtra(Era(), 3, 5)
    payload = signing_payload(
        call,
        SignedExtra(Era(), 3, 5),
        spec_version=1,
        transaction_version=1,
        genesis_hash=harness.genesis_hash,
        era_block_hash=harness.genesis_hash,
    )
    assert len(payload) == 32
    short = signing_payload(
        Remark(b""),
        SignedExtra(Era(), 0, 0),
        spec_version=1,
        transaction_version=1,
        genesis_hash=harness.genesis_hash,
        era_block_hash=harness.genesis_hash,
    )
    assert len(short) < 256


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", InvalidTransactionCode.BAD_FORMAT),
        (b"\x08\x05\x00", InvalidTransactionCode.BAD_FORMAT),  # version 5
        (b"\x0c\x04\x00", InvalidTransactionCode.BAD_FORMAT),  # length says 3, 2 follow
        (b"\x0c\x04\xee\x00", InvalidTransactionCode.CALL),  # unknown module 0xee
        (b"\x0c\x04\x00\x63", InvalidTransactionCode.CALL),  # System has no call 0x63
        (b"\x08\x84\x07", InvalidTransactionCode.BAD_FORMAT),  # bad signer
    ],
)
def test_malformed_extrinsics_are_typed(raw: bytes, code: InvalidTransactionCode) -> None:
    """Framing, version, unknown calls and broken signatures each have a code."""
    with pytest.raises(InvalidTransactionError) as caught:
        decode_extrinsic(raw)
    assert caught.value.code is code


@given(st.binary(max_size=120))
def test_random_bytes_are_an_extrinsic_or_a_typed_refusal(raw: bytes) -> None:
    """Fuzz: the decoder returns an extrinsic or raises InvalidTransactionError only."""
    with contextlib.suppress(InvalidTransactionError):
        decode_extrinsic(raw)


def test_era_codec_rejects_impossible_phase() -> None:
    """An era whose phase is not below its period is refused."""
    from khala.primitives.scale import ScaleError

    with pytest.raises(ScaleError):
        ERA.decode(bytes([0xF1, 0xFF]))
    assert codec_of(SignedExtra).encode(SignedExtra(Era(), 0, 0)) == b"\x00\x00\x00"
