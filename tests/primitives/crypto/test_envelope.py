"""Envelopes: only the recipient opens them; the deterministic form is reproducible."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khala.primitives.crypto import (
    EnvelopeError,
    EnvelopeErrorCode,
    open_envelope,
    seal,
    seal_ephemeral,
    x25519_public_key,
)

RECIPIENT = bytes(range(32))
SENDER = bytes(range(32, 64))
LABEL = b"test"


@given(st.binary(max_size=500), st.binary(max_size=50), st.binary(min_size=44, max_size=44))
def test_ephemeral_roundtrip(plaintext: bytes, associated: bytes, entropy: bytes) -> None:
    """What is sealed to a key opens with that key's secret and the same label and data."""
    envelope = seal_ephemeral(
        x25519_public_key(RECIPIENT),
        plaintext,
        label=LABEL,
        entropy=entropy,
        associated_data=associated,
    )
    assert open_envelope(RECIPIENT, envelope, label=LABEL, associated_data=associated) == plaintext


def test_deterministic_seal_is_byte_identical_for_replicas() -> None:
    """Two replicas with the same secrets and IV produce the same bytes; another IV differs."""
    recipient_public = x25519_public_key(RECIPIENT)
    first = seal(
        recipient_public, b"master key", label=LABEL, sender_secret=SENDER, iv=b"\x01" * 12
    )
    second = seal(
        recipient_public, b"master key", label=LABEL, sender_secret=SENDER, iv=b"\x01" * 12
    )
    third = seal(
        recipient_public, b"master key", label=LABEL, sender_secret=SENDER, iv=b"\x02" * 12
    )
    assert first == second != third
    assert first[:32] == x25519_public_key(SENDER)
    assert open_envelope(RECIPIENT, first, label=LABEL) == b"master key"


@pytest.mark.parametrize(
    "change",
    ["wrong_key", "wrong_label", "wrong_data", "flipped_bit", "other_sender_key"],
)
def test_tampering_or_wrong_context_fails_authentication(change: str) -> None:
    """Any wrong key, label, associated data or altered byte fails with decryption_failed."""
    envelope = seal(
        x25519_public_key(RECIPIENT),
        b"secret",
        label=LABEL,
        sender_secret=SENDER,
        iv=b"\x00" * 12,
        associated_data=b"ad",
    )
    secret, label, data = RECIPIENT, LABEL, b"ad"
    if change == "wrong_key":
        secret = bytes(32)
    elif change == "wrong_label":
        label = b"other"
    elif change == "wrong_data":
        data = b"xx"
    elif change == "flipped_bit":
        envelope = envelope[:-1] + bytes([envelope[-1] ^ 1])
    else:
        envelope = x25519_public_key(bytes(range(1, 33))) + envelope[32:]
    with pytest.raises(EnvelopeError) as caught:
        open_envelope(secret, envelope, label=label, associated_data=data)
    assert caught.value.code is EnvelopeErrorCode.DECRYPTION_FAILED


def test_malformed_inputs_are_typed() -> None:
    """Short envelopes and wrong-length keys or IVs raise typed errors."""
    with pytest.raises(EnvelopeError) as caught:
        open_envelope(RECIPIENT, b"\x00" * 50, label=LABEL)
    assert caught.value.code is EnvelopeErrorCode.MALFORMED
    with pytest.raises(EnvelopeError) as caught:
        seal(b"\x00" * 31, b"", label=LABEL, sender_secret=SENDER, iv=b"\x00" * 12)
    assert caught.value.code is EnvelopeErrorCode.INVALID_PARAMETER
    with pytest.raises(EnvelopeError) as caught:
        seal_ephemeral(x25519_public_key(RECIPIENT), b"", label=LABEL, entropy=b"\x00" * 10)
    assert caught.value.code is EnvelopeErrorCode.INVALID_PARAMETER


def test_low_order_peer_key_is_refused() -> None:
    """A low-order x25519 point (all-zero shared secret) cannot be used to seal."""
    with pytest.raises(EnvelopeError):
        seal(bytes(32), b"x", label=LABEL, sender_secret=SENDER, iv=b"\x00" * 12)
