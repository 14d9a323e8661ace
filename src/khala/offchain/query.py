"""Encrypted, signed contract queries and their encrypted, signed answers (the wire format).

A client builds a :class:`QueryBody` (contract, call data, the origin it queries as, a nonce,
its time, and a one-time x25519 key for the answer), signs it with the origin's key (sr25519
or ed25519), or with a session key the origin delegated to by a :class:`Certificate` with an
expiry, and seals the :class:`SignedQuery` to the worker's ECDH key (label ``phat/query``, the
worker's identity as associated data, so a query cannot be redirected to another worker).

The worker opens it, checks the signature chain and the time window (:func:`verify_query`),
runs the message read-only, and seals a :class:`SignedAnswer` (signed by its identity key,
naming the query's nonce) to the client's answer key (label ``phat/answer``, the nonce as
associated data). Only the client reads the answer, and it knows which worker gave it.

All functions are pure: randomness comes from the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from khala.errors import KhalaError
from khala.primitives.crypto import Keypair, KeyScheme
from khala.primitives.crypto.envelope import open_envelope, seal_ephemeral
from khala.primitives.crypto.errors import EnvelopeError
from khala.primitives.crypto.signing import SignedContentType, sign_content, verify_content
from khala.primitives.scale import H256, H512, U64, U128, ScaleError, codec_of, encode
from khala.primitives.scale.containers import Err, Ok

QUERY_LABEL = b"phat/query"
"""Envelope label of queries."""
ANSWER_LABEL = b"phat/answer"
"""Envelope label of answers."""
MAX_CLOCK_SKEW_MS = 5 * 60 * 1000
"""How far a query's ``issued_ms`` may be from the worker's clock (replays expire)."""


class QueryErrorCode(StrEnum):
    """Why a worker refused a query."""

    UNREADABLE = "query.unreadable"
    """The envelope does not open with this worker's key or does not decode."""
    BAD_SIGNATURE = "query.bad_signature"
    """The query is not signed by its origin (or by a session key it delegated to)."""
    EXPIRED = "query.expired"
    """The certificate has expired, or the query's time is outside the worker's window."""
    NO_CLUSTER = "query.no_cluster"
    """This worker does not serve the contract's cluster (ask one of its workers)."""
    BUSY = "query.busy"
    """The worker's query queue is full; retry later."""


class QueryError(KhalaError):
    """A query the worker refuses before running it."""


class Scheme(IntEnum):
    """Signature schemes a query or certificate may be signed with."""

    SR25519 = 0
    """Substrate accounts' default."""
    ED25519 = 1
    """Ed25519 accounts and session keys."""

    @property
    def key_scheme(self) -> KeyScheme:
        """The matching :class:`KeyScheme`."""
        return KeyScheme.SR25519 if self is Scheme.SR25519 else KeyScheme.ED25519


@dataclass(frozen=True, slots=True)
class CertificateBody:
    """What a certificate delegates."""

    session_key: H256
    """The public key that may sign queries for the account."""
    session_scheme: Scheme
    """Its scheme."""
    expires_at_ms: U64
    """Unix milliseconds after which the delegation is void."""


@dataclass(frozen=True, slots=True)
class Certificate:
    """An account's signed delegation to a session key (so a wallet signs once per session)."""

    account: H256
    """The delegating account."""
    scheme: Scheme
    """The account's scheme."""
    body: CertificateBody
    """The delegation."""
    signature: H512
    """The account's signature over the body."""


@dataclass(frozen=True, slots=True)
class QueryBody:
    """What a query asks."""

    contract: H256
    """The contract."""
    data: bytes
    """Message call data."""
    value: U128
    """Value the call pretends to carry (queries move nothing)."""
    origin: H256
    """The account the contract sees as caller."""
    nonce: H256
    """Random: names the answer."""
    issued_ms: U64
    """The client's clock when it signed."""
    reply_key: H256
    """One-time x25519 public key the answer is sealed to."""


@dataclass(frozen=True, slots=True)
class SignedQuery:
    """A query with its signature (and the certificate, when a session key signed)."""

    body: QueryBody
    """The query."""
    scheme: Scheme
    """The signer's scheme."""
    signature: H512
    """Signature over the body by the origin, or by the certificate's session key."""
    certificate: Certificate | None
    """The delegation, if a session key signed."""


@dataclass(frozen=True, slots=True)
class QueryOutput:
    """What the contract answered."""

    reverted: bool
    """Whether it returned with the revert flag."""
    data: bytes
    """Its output (decode with the metadata)."""
    gas_consumed: U64
    """Gas used."""
    debug_message: str
    """Collected debug output."""


@dataclass(frozen=True, slots=True)
class QueryFailure:
    """Why the query did not produce an output."""

    code: str
    """An error code (``contracts.deadline``, ``query.busy``...)."""
    message: str
    """What happened."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A worker's answer."""

    nonce: H256
    """The query's nonce."""
    worker: H256
    """The answering worker's identity."""
    result: Ok[QueryOutput] | Err[QueryFailure]
    """The output or the failure."""


@dataclass(frozen=True, slots=True)
class SignedAnswer:
    """An answer signed by the worker's identity key."""

    answer: Answer
    """The answer."""
    signature: H512
    """sr25519 over ``SCALE(answer)`` (domain ``RPC_RESPONSE``)."""


_SIGNED_QUERY = codec_of(SignedQuery)
_SIGNED_ANSWER = codec_of(SignedAnswer)


def certify(account: Keypair, session: Keypair, expires_at_ms: int) -> Certificate:
    """Delegate queries from ``account`` to ``session`` until ``expires_at_ms``."""
    body = CertificateBody(session.public_key, _scheme(session), expires_at_ms)
    signature = sign_content(account, SignedContentType.QUERY_CERTIFICATE, encode(body))
    return Certificate(account.public_key, _scheme(account), body, signature)


def sign_query(
    body: QueryBody, signer: Keypair, certificate: Certificate | None = None
) -> SignedQuery:
    """Sign ``body`` with the origin's key, or a session key with its ``certificate``."""
    signature = sign_content(signer, SignedContentType.CONTRACT_QUERY, encode(body))
    return SignedQuery(body, _scheme(signer), signature, certificate)


def verify_query(signed: SignedQuery, now_ms: int) -> bytes:
    """Check the signature chain and the time window; return the authenticated origin.

    Raises:
        QueryError: ``query.bad_signature`` or ``query.expired``.
    """
    body = signed.body
    if abs(now_ms - body.issued_ms) > MAX_CLOCK_SKEW_MS:
        raise QueryError(QueryErrorCode.EXPIRED, "the query's time is more than 5 minutes off")
    signer = bytes(body.origin)
    certificate = signed.certificate
    if certificate is not None:
        if bytes(certificate.account) != bytes(body.origin):
            raise QueryError(QueryErrorCode.BAD_SIGNATURE, "the certificate is another account's")
        if not verify_content(
            certificate.scheme.key_scheme,
            bytes(certificate.account),
            SignedContentType.QUERY_CERTIFICATE,
            encode(certificate.body),
            bytes(certificate.signature),
        ):
            raise QueryError(QueryErrorCode.BAD_SIGNATURE, "the certificate's signature is invalid")
        if now_ms >= certificate.body.expires_at_ms:
            raise QueryError(QueryErrorCode.EXPIRED, "the certificate has expired")
        if signed.scheme is not certificate.body.session_scheme:
            raise QueryError(QueryErrorCode.BAD_SIGNATURE, "signed with another scheme")
        signer = bytes(certificate.body.session_key)
    ok = verify_content(
        signed.scheme.key_scheme,
        signer,
        SignedContentType.CONTRACT_QUERY,
        encode(body),
        bytes(signed.signature),
    )
    if not ok:
        raise QueryError(QueryErrorCode.BAD_SIGNATURE, "the query is not signed by its origin")
    return bytes(body.origin)


def seal_query(worker_ecdh: bytes, worker: bytes, signed: SignedQuery, entropy: bytes) -> bytes:
    """Seal a signed query to one worker (``entropy``: 44 fresh bytes)."""
    return seal_ephemeral(
        worker_ecdh,
        _SIGNED_QUERY.encode(signed),
        label=QUERY_LABEL,
        entropy=entropy,
        associated_data=worker,
    )


def open_query(worker_ecdh_secret: bytes, worker: bytes, envelope: bytes) -> SignedQuery:
    """Open a query sealed to this worker.

    Raises:
        QueryError: ``query.unreadable``.
    """
    try:
        raw = open_envelope(worker_ecdh_secret, envelope, label=QUERY_LABEL, associated_data=worker)
        signed: SignedQuery = _SIGNED_QUERY.decode(raw)
    except (EnvelopeError, ScaleError) as error:
        raise QueryError(QueryErrorCode.UNREADABLE, f"the query does not open: {error}") from None
    return signed


def seal_answer(identity: Keypair, answer: Answer, reply_key: bytes, entropy: bytes) -> bytes:
    """Sign an answer with the worker's identity and seal it to the client's reply key."""
    signature = sign_content(identity, SignedContentType.RPC_RESPONSE, encode(answer))
    return seal_ephemeral(
        reply_key,
        _SIGNED_ANSWER.encode(SignedAnswer(answer, signature)),
        label=ANSWER_LABEL,
        entropy=entropy,
        associated_data=bytes(answer.nonce),
    )


def open_answer(reply_secret: bytes, envelope: bytes, nonce: bytes, worker: bytes) -> Answer:
    """Open and check an answer: sealed to us, for our nonce, signed by ``worker``.

    Raises:
        QueryError: ``query.unreadable`` or ``query.bad_signature``.
    """
    try:
        raw = open_envelope(reply_secret, envelope, label=ANSWER_LABEL, associated_data=nonce)
        signed: SignedAnswer = _SIGNED_ANSWER.decode(raw)
    except (EnvelopeError, ScaleError) as error:
        raise QueryError(QueryErrorCode.UNREADABLE, f"the answer does not open: {error}") from None
    answer: Answer = signed.answer
    if bytes(answer.nonce) != nonce or bytes(answer.worker) != worker:
        raise QueryError(QueryErrorCode.BAD_SIGNATURE, "the answer is for another query or worker")
    if not verify_content(
        KeyScheme.SR25519,
        worker,
        SignedContentType.RPC_RESPONSE,
        encode(answer),
        bytes(signed.signature),
    ):
        raise QueryError(QueryErrorCode.BAD_SIGNATURE, "the answer is not signed by the worker")
    return answer


def _scheme(pair: Keypair) -> Scheme:
    return Scheme.SR25519 if pair.scheme is KeyScheme.SR25519 else Scheme.ED25519
