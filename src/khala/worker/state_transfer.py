"""Handing a cluster's state to a worker added later: encrypted, signed, checked by root.

A worker added to an existing cluster holds the cluster key but not the state its peers built
from the cluster's history. It asks one member (:class:`SignedStateRequest`, signed by its
identity); the member checks on its verified chain state that the requester is a member and
answers with a :class:`StateTransfer`: the state's items sealed to the requester's ECDH key *as
registered on chain* (so only that attested worker can open it) and a :class:`SignedStatement`
of (cluster, height, root) signed by the member's identity. The newcomer then asks every other
member for its statement at that height and installs the state only when the opened items
hash to that root and every member's statement names it: one dishonest member cannot plant a
state, and no operator sees it on the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from khala.errors import KhalaError
from khala.primitives.crypto import Keypair, KeyScheme
from khala.primitives.crypto.envelope import open_envelope, seal_ephemeral
from khala.primitives.crypto.errors import EnvelopeError
from khala.primitives.crypto.signing import SignedContentType, sign_content, verify_content
from khala.primitives.scale import H256, H512, U32, U64, ScaleError, codec_of, encode

STATE_LABEL = b"phat/cluster-state"
"""Envelope label of cluster state transfers."""
MAX_REQUEST_AGE_MS = 5 * 60 * 1000
"""How old a state request may be."""


class TransferErrorCode(StrEnum):
    """Why a state transfer was refused."""

    NOT_A_MEMBER = "transfer.not_a_member"
    """The requester (or the member answering) is not a worker of the cluster on chain."""
    BAD_SIGNATURE = "transfer.bad_signature"
    """A request or statement is not signed by the worker it names."""
    EXPIRED = "transfer.expired"
    """The request is more than 5 minutes old (or from the future)."""
    UNREADABLE = "transfer.unreadable"
    """The state does not open with this worker's key or does not decode."""
    ROOT_MISMATCH = "transfer.root_mismatch"
    """The state does not hash to the root, or members disagree about the root."""
    NOT_READY = "transfer.not_ready"
    """The member has no cluster state (or no root at that height) to give."""


class TransferError(KhalaError):
    """A state transfer that cannot be used."""


@dataclass(frozen=True, slots=True)
class StateRequest:
    """A new member asks for the cluster's state."""

    cluster: H256
    """The cluster."""
    worker: H256
    """The requester's identity."""
    issued_ms: U64
    """When it asked."""


@dataclass(frozen=True, slots=True)
class SignedStateRequest:
    """The request with the requester's signature."""

    request: StateRequest
    """The request."""
    signature: H512
    """sr25519 by the requester's identity."""


@dataclass(frozen=True, slots=True)
class Statement:
    """What a member says its cluster state root was at a height."""

    cluster: H256
    """The cluster."""
    height: U32
    """The block after which the state is taken."""
    root: H256
    """The cluster state root."""
    member: H256
    """The member's identity."""


@dataclass(frozen=True, slots=True)
class SignedStatement:
    """A statement with the member's signature."""

    statement: Statement
    """The statement."""
    signature: H512
    """sr25519 by the member's identity."""


@dataclass(frozen=True, slots=True)
class StateTransfer:
    """A member's answer: its statement and the sealed state."""

    statement: SignedStatement
    """The member's signed root."""
    envelope: bytes
    """SCALE ``Vec<(Vec<u8>, Vec<u8>)>`` of the state's items, sealed to the requester."""


_ITEMS = codec_of(list[tuple[bytes, bytes]])
_STATE_REQUEST = SignedContentType.CLUSTER_STATE_REQUEST
_STATEMENT = SignedContentType.CLUSTER_STATE_ROOT


def sign_request(identity: Keypair, cluster: bytes, now_ms: int) -> SignedStateRequest:
    """A request for ``cluster``'s state, signed by this worker."""
    request = StateRequest(cluster, identity.public_key, now_ms)
    return SignedStateRequest(request, sign_content(identity, _STATE_REQUEST, encode(request)))


def check_request(signed: SignedStateRequest, now_ms: int) -> None:
    """Check a request's signature and age (membership is the caller's check).

    Raises:
        TransferError: ``transfer.bad_signature`` or ``transfer.expired``.
    """
    request = signed.request
    if abs(now_ms - request.issued_ms) > MAX_REQUEST_AGE_MS:
        raise TransferError(TransferErrorCode.EXPIRED, "the state request is too old")
    ok = verify_content(
        KeyScheme.SR25519,
        bytes(request.worker),
        _STATE_REQUEST,
        encode(request),
        bytes(signed.signature),
    )
    if not ok:
        raise TransferError(
            TransferErrorCode.BAD_SIGNATURE, "the request is not signed by its worker"
        )


def sign_statement(identity: Keypair, cluster: bytes, height: int, root: bytes) -> SignedStatement:
    """This member's signed root at ``height``."""
    statement = Statement(cluster, height, root, identity.public_key)
    return SignedStatement(statement, sign_content(identity, _STATEMENT, encode(statement)))


def check_statement(signed: SignedStatement) -> Statement:
    """Return the statement if its member signed it.

    Raises:
        TransferError: ``transfer.bad_signature``.
    """
    statement = signed.statement
    ok = verify_content(
        KeyScheme.SR25519,
        bytes(statement.member),
        _STATEMENT,
        encode(statement),
        bytes(signed.signature),
    )
    if not ok:
        raise TransferError(
            TransferErrorCode.BAD_SIGNATURE, "the statement is not signed by its member"
        )
    statement_checked: Statement = statement
    return statement_checked


def seal_state(
    items: list[tuple[bytes, bytes]], recipient_ecdh: bytes, recipient: bytes, entropy: bytes
) -> bytes:
    """The state's items sealed to the recipient's registered ECDH key."""
    return seal_ephemeral(
        recipient_ecdh,
        _ITEMS.encode(items),
        label=STATE_LABEL,
        entropy=entropy,
        associated_data=recipient,
    )


def open_state(ecdh_secret: bytes, me: bytes, envelope: bytes) -> list[tuple[bytes, bytes]]:
    """Open state sealed to this worker.

    Raises:
        TransferError: ``transfer.unreadable``.
    """
    try:
        raw = open_envelope(ecdh_secret, envelope, label=STATE_LABEL, associated_data=me)
        items: list[tuple[bytes, bytes]] = _ITEMS.decode(raw)
    except (EnvelopeError, ScaleError) as error:
        raise TransferError(
            TransferErrorCode.UNREADABLE, f"the state does not open: {error}"
        ) from None
    return items


def agreed_root(
    transfer: StateTransfer, statements: list[SignedStatement], members: set[bytes], me: bytes
) -> Statement:
    """The transfer's statement, once every other member's statement agrees with it.

    Raises:
        TransferError: ``transfer.not_a_member``, ``transfer.bad_signature`` or
            ``transfer.root_mismatch`` (a member disagrees or did not answer).
    """
    offered = check_statement(transfer.statement)
    if bytes(offered.member) not in members:
        raise TransferError(TransferErrorCode.NOT_A_MEMBER, "the state comes from a non-member")
    agreeing = {bytes(offered.member)}
    for signed in statements:
        statement = check_statement(signed)
        same = (statement.cluster, statement.height, statement.root) == (
            offered.cluster,
            offered.height,
            offered.root,
        )
        if bytes(statement.member) in members and same:
            agreeing.add(bytes(statement.member))
    missing = members - agreeing - {me}
    if missing:
        raise TransferError(
            TransferErrorCode.ROOT_MISMATCH,
            f"{len(missing)} member(s) did not confirm root 0x{bytes(offered.root).hex()} "
            f"at block {offered.height}",
        )
    return offered
