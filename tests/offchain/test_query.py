"""The query wire format: signatures, certificates, time windows, sealing both ways."""

from __future__ import annotations

import os

import pytest

from khala.offchain.query import (
    MAX_CLOCK_SKEW_MS,
    Answer,
    QueryBody,
    QueryError,
    QueryErrorCode,
    QueryOutput,
    certify,
    open_answer,
    open_query,
    seal_answer,
    seal_query,
    sign_query,
    verify_query,
)
from khala.primitives.crypto import KeyScheme, keypair_from_seed
from khala.primitives.crypto.envelope import x25519_public_key
from khala.primitives.scale.containers import Ok

USER = keypair_from_seed(KeyScheme.SR25519, b"\x01" * 32)
OTHER = keypair_from_seed(KeyScheme.SR25519, b"\x02" * 32)
SESSION = keypair_from_seed(KeyScheme.ED25519, b"\x03" * 32)
WORKER = keypair_from_seed(KeyScheme.SR25519, b"\x04" * 32)
WORKER_ECDH = b"\x05" * 32
NOW = 1_700_000_000_000


def body(
    origin: bytes = USER.public_key, issued: int = NOW, reply: bytes = b"\x06" * 32
) -> QueryBody:
    return QueryBody(
        b"\x07" * 32, b"\x2f\x86\x5b\xd9", 0, origin, b"\x08" * 32, issued, x25519_public_key(reply)
    )


def refused(signed: object, now: int = NOW) -> QueryErrorCode:
    with pytest.raises(QueryError) as caught:
        verify_query(signed, now)  # type: ignore[arg-type]
    assert isinstance(caught.value.code, QueryErrorCode)
    return caught.value.code


def test_a_signed_query_verifies_as_its_origin() -> None:
    assert verify_query(sign_query(body(), USER), NOW) == USER.public_key
    ed_user = keypair_from_seed(KeyScheme.ED25519, b"\x09" * 32)
    assert verify_query(sign_query(body(ed_user.public_key), ed_user), NOW) == ed_user.public_key


def test_someone_elses_signature_is_refused() -> None:
    assert refused(sign_query(body(), OTHER)) is QueryErrorCode.BAD_SIGNATURE
    signed = sign_query(body(), USER)
    tampered = type(signed)(body(issued=NOW + 1), signed.scheme, signed.signature, None)
    assert refused(tampered) is QueryErrorCode.BAD_SIGNATURE


def test_the_time_window_bounds_replays() -> None:
    assert (
        refused(sign_query(body(issued=NOW - MAX_CLOCK_SKEW_MS - 1), USER))
        is QueryErrorCode.EXPIRED
    )
    assert verify_query(sign_query(body(issued=NOW - MAX_CLOCK_SKEW_MS), USER), NOW)


def test_session_keys_act_for_the_account_until_expiry() -> None:
    certificate = certify(USER, SESSION, NOW + 60_000)
    signed = sign_query(body(), SESSION, certificate)
    assert verify_query(signed, NOW) == USER.public_key
    assert refused(signed, NOW + 60_000) is QueryErrorCode.EXPIRED
    # A certificate of another account, or a session key the account did not name, fails.
    foreign = sign_query(body(OTHER.public_key), SESSION, certificate)
    assert refused(foreign) is QueryErrorCode.BAD_SIGNATURE
    impostor = keypair_from_seed(KeyScheme.ED25519, b"\x0a" * 32)
    assert refused(sign_query(body(), impostor, certificate)) is QueryErrorCode.BAD_SIGNATURE
    forged = certify(OTHER, SESSION, NOW + 60_000)
    relabelled = type(forged)(USER.public_key, forged.scheme, forged.body, forged.signature)
    assert refused(sign_query(body(), SESSION, relabelled)) is QueryErrorCode.BAD_SIGNATURE


def test_sealed_to_one_worker_only() -> None:
    signed = sign_query(body(), USER)
    public = x25519_public_key(WORKER_ECDH)
    envelope = seal_query(public, WORKER.public_key, signed, os.urandom(44))
    assert open_query(WORKER_ECDH, WORKER.public_key, envelope) == signed
    with pytest.raises(QueryError) as caught:
        open_query(WORKER_ECDH, OTHER.public_key, envelope)  # redirected to another worker
    assert caught.value.code is QueryErrorCode.UNREADABLE
    with pytest.raises(QueryError):
        open_query(b"\x0b" * 32, WORKER.public_key, envelope)


def test_answers_are_sealed_to_the_reply_key_and_signed_by_the_worker() -> None:
    reply_secret = b"\x06" * 32
    nonce = b"\x08" * 32
    answer = Answer(nonce, WORKER.public_key, Ok(QueryOutput(False, b"\x00\x01", 5, "")))
    sealed = seal_answer(WORKER, answer, x25519_public_key(reply_secret), os.urandom(44))
    assert open_answer(reply_secret, sealed, nonce, WORKER.public_key) == answer
    with pytest.raises(QueryError) as caught:
        open_answer(reply_secret, sealed, nonce, OTHER.public_key)  # not who we asked
    assert caught.value.code is QueryErrorCode.BAD_SIGNATURE
    with pytest.raises(QueryError):
        open_answer(reply_secret, sealed, b"\x09" * 32, WORKER.public_key)  # another query
    impostor = seal_answer(
        OTHER,
        Answer(nonce, WORKER.public_key, answer.result),
        x25519_public_key(reply_secret),
        os.urandom(44),
    )
    with pytest.raises(QueryError) as caught:
        open_answer(reply_secret, impostor, nonce, WORKER.public_key)
    assert caught.value.code is QueryErrorCode.BAD_SIGNATURE
