"""Mq's calls: carry a signed off-chain message, or push one from an account."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.crypto import KeyScheme, verify
from khala.primitives.scale import ScaleEnum, codec_of, variant
from khala.runtime.context import Context, ensure_governance, ensure_signed, transaction
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.errors import DispatchError, InvalidTransactionCode, InvalidTransactionError
from khala.runtime.modules.mq import events, state
from khala.runtime.modules.mq.constants import (
    MAX_FUTURE_SEQUENCES,
    MAX_PAYLOAD,
    MAX_PING_PAYLOAD,
    ONCHAIN_ONLY_PREFIX,
    PING_SENDER,
    PING_TOPIC,
    PING_WEIGHT,
    PUSH_WEIGHT,
    SYNC_WEIGHT,
)
from khala.runtime.modules.mq.errors import MqErrorCode, mq_error
from khala.runtime.modules.mq.types import (
    AccountOrigin,
    ClusterOrigin,
    ContractOrigin,
    GatekeeperOrigin,
    Message,
    MessageOrigin,
    PalletOrigin,
    SignedMessage,
    WorkerOrigin,
    is_offchain,
)
from khala.runtime.modules.phat.state import cluster_signing_key, contract_signing_key
from khala.runtime.modules.registry.state import master_pubkey, worker_info
from khala.runtime.state import State
from khala.runtime.types import DispatchClass

_MESSAGE = codec_of(Message)


def signed_payload(message: Message, sequence: int) -> bytes:
    """The bytes a sender signs: ``SCALE(message) ++ u64 LE sequence``.

    They start with the origin's variant index, never 0xff, so they cannot collide with
    domain-separated signatures.
    """
    return _MESSAGE.encode(message) + sequence.to_bytes(8, "little")


class Call(ScaleEnum):
    """An mq call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class SyncOffchainMessage(Call):
    """Carry a signed off-chain message to the chain (anyone may submit it)."""

    signed: SignedMessage
    """The message, its sequence and signature."""


@variant(1)
@dataclass(frozen=True, slots=True)
class PushMessage(Call):
    """Send a message from the signing account to a topic."""

    destination: bytes
    """The topic."""
    payload: bytes
    """The content."""


@variant(2)
@dataclass(frozen=True, slots=True)
class PingWorkers(Call):
    """Governance (root or ½ council): every worker answers with a signed pong (liveness).

    Only governance may ping: each pong costs its worker's operator a fee, so no account can
    make workers spend. Workers answer only pings sent under :data:`PING_SENDER`.
    """

    payload: bytes
    """Echoed in the pongs; at most 32 bytes."""


def _validate_sync(storage: State, args: SyncOffchainMessage) -> None:
    """Pool-time check: oversized payloads and stale sequences never reach a block."""
    if len(args.signed.message.payload) > MAX_PAYLOAD:
        raise InvalidTransactionError(
            InvalidTransactionCode.EXHAUSTS_RESOURCES,
            f"message payloads are at most {MAX_PAYLOAD} bytes, "
            f"this one has {len(args.signed.message.payload)}",
        )
    sender = args.signed.message.sender
    if not is_offchain(sender):
        return
    sequence, expected = args.signed.sequence, state.next_sequence(storage, sender)
    if sequence < expected:
        raise InvalidTransactionError(
            InvalidTransactionCode.STALE, f"message sequence {sequence} was already accepted"
        )
    if sequence > expected + MAX_FUTURE_SEQUENCES:
        raise InvalidTransactionError(
            InvalidTransactionCode.FUTURE,
            f"message sequence {sequence} is more than {MAX_FUTURE_SEQUENCES} ahead of the "
            f"sender's next ({expected}); relay its earlier messages first",
        )


def _waits_for_earlier_message(storage: State, args: SyncOffchainMessage) -> bool:
    """A message ahead of its sender's next sequence waits in the pool for the gap to fill."""
    sender = args.signed.message.sender
    return is_offchain(sender) and args.signed.sequence > state.next_sequence(storage, sender)


def _deliver(storage: State, ctx: Context, message: Message) -> None:
    """Route to the on-chain handler, and to workers unless the topic is on-chain only.

    The handler runs in its own storage layer: if it refuses the message, its writes and events
    are dropped, ``MessageHandlerFailed`` is recorded and the message goes no further, but the
    sender's sequence stays used, so one bad message cannot block its queue.
    """
    handler = ctx.routes.get(message.destination)
    if handler is not None:
        try:
            with transaction(storage, ctx.events):
                handler(storage, ctx, message)
        except DispatchError as error:
            ctx.emit(
                events.MessageHandlerFailed(message.sender, message.destination, error.record())
            )
            return
    if not message.destination.startswith(ONCHAIN_ONLY_PREFIX):
        state.append_outbound(storage, message)


def _sender_key(storage: State, sender: MessageOrigin) -> tuple[KeyScheme, bytes]:
    """The key that signs ``sender``'s messages.

    A worker signs with its sr25519 identity key; the gatekeepers sign with the master key's
    ed25519 signing key (deterministic signatures, so all gatekeepers' copies are identical);
    clusters and contracts sign with the ed25519 halves of their derived keys, published by
    the gatekeepers (every worker of a cluster sends byte-identical copies).
    """
    if isinstance(sender, WorkerOrigin):
        if worker_info(storage, sender.pubkey) is None:
            raise mq_error(MqErrorCode.UNKNOWN_SENDER, "the worker is not registered")
        return KeyScheme.SR25519, bytes(sender.pubkey)
    if isinstance(sender, GatekeeperOrigin):
        master = master_pubkey(storage)
        if master is None:
            raise mq_error(MqErrorCode.UNKNOWN_SENDER, "no master key has been published yet")
        return KeyScheme.ED25519, master
    if isinstance(sender, ClusterOrigin):
        key = cluster_signing_key(storage, bytes(sender.cluster_id))
        if key is None:
            raise mq_error(MqErrorCode.UNKNOWN_SENDER, "the cluster's key is not published yet")
        return KeyScheme.ED25519, key
    if isinstance(sender, ContractOrigin):
        key = contract_signing_key(storage, bytes(sender.contract_id))
        if key is None:
            raise mq_error(MqErrorCode.UNKNOWN_SENDER, "the contract's key is not published yet")
        return KeyScheme.ED25519, key
    raise mq_error(MqErrorCode.UNKNOWN_SENDER, "this origin has no key on chain")


def sync_offchain_message(storage: State, ctx: Context, args: SyncOffchainMessage) -> None:
    """Accept the next message of an off-chain sender: sequence, signature, then route."""
    ensure_signed(ctx)
    signed = args.signed
    message = signed.message
    sender = message.sender
    if not is_offchain(sender):
        raise mq_error(
            MqErrorCode.BAD_SENDER,
            "only workers, gatekeepers, clusters and contracts sync messages",
        )
    expected = state.next_sequence(storage, sender)
    if signed.sequence != expected:
        raise mq_error(
            MqErrorCode.BAD_SEQUENCE, f"expected sequence {expected}, got {signed.sequence}"
        )
    if len(message.payload) > MAX_PAYLOAD:
        raise mq_error(MqErrorCode.PAYLOAD_TOO_LARGE, f"payloads are at most {MAX_PAYLOAD} bytes")
    if (
        message.destination.startswith(ONCHAIN_ONLY_PREFIX)
        and message.destination not in ctx.routes
    ):
        raise mq_error(MqErrorCode.BAD_DESTINATION, "no on-chain handler for this topic")
    scheme, key = _sender_key(storage, sender)
    if not verify(scheme, key, signed_payload(message, signed.sequence), signed.signature):
        raise mq_error(MqErrorCode.BAD_SIGNATURE, "the message is not signed by the sender's key")
    state.INGRESS_SEQUENCE.insert(storage, sender, expected + 1)
    _deliver(storage, ctx, message)
    ctx.emit(events.OffchainMessageAccepted(sender, signed.sequence, message.destination))


def push_message(storage: State, ctx: Context, args: PushMessage) -> None:
    """Send a message from the signing account."""
    account = ensure_signed(ctx)
    if len(args.payload) > MAX_PAYLOAD:
        raise mq_error(MqErrorCode.PAYLOAD_TOO_LARGE, f"payloads are at most {MAX_PAYLOAD} bytes")
    if args.destination.startswith(ONCHAIN_ONLY_PREFIX) and args.destination not in ctx.routes:
        raise mq_error(MqErrorCode.BAD_DESTINATION, "no on-chain handler for this topic")
    origin = AccountOrigin(account)
    _deliver(storage, ctx, Message(origin, args.destination, args.payload))
    ctx.emit(events.MessagePushed(origin, args.destination))


def ping_workers(storage: State, ctx: Context, args: PingWorkers) -> None:
    """Governance (root or ½ council): send a ping to every worker."""
    ensure_governance(ctx)
    if len(args.payload) > MAX_PING_PAYLOAD:
        raise mq_error(
            MqErrorCode.PAYLOAD_TOO_LARGE, f"ping payloads are at most {MAX_PING_PAYLOAD} bytes"
        )
    send(storage, ctx, PING_SENDER, PING_TOPIC, args.payload)


def send(storage: State, ctx: Context, module: bytes, destination: bytes, payload: bytes) -> None:
    """Send a message from a runtime module (for other modules' use)."""
    _deliver(storage, ctx, Message(PalletOrigin(module), destination, payload))


def is_proven_gatekeeper_message(storage: State, args: SyncOffchainMessage) -> bool:
    """Whether a message is the gatekeepers' next one, signed by the master key: only then free.

    Checked against the state the transaction is validated (and later applied) on, so a
    forged or replayed "gatekeeper" message pays its fee like any other call.
    """
    signed = args.signed
    message = signed.message
    if not isinstance(message.sender, GatekeeperOrigin):
        return False
    master = master_pubkey(storage)
    return (
        master is not None
        and signed.sequence == state.next_sequence(storage, message.sender)
        and len(message.payload) <= MAX_PAYLOAD
        and verify(
            KeyScheme.ED25519, master, signed_payload(message, signed.sequence), signed.signature
        )
    )


CALLS: dict[type, CallSpec] = {
    SyncOffchainMessage: CallSpec(
        sync_offchain_message,
        SYNC_WEIGHT,
        fee_exempt=is_proven_gatekeeper_message,
        validate=_validate_sync,
        waits=_waits_for_earlier_message,
    ),
    PushMessage: CallSpec(push_message, PUSH_WEIGHT),
    PingWorkers: CallSpec(ping_workers, PING_WEIGHT, DispatchClass.OPERATIONAL),
}
"""Handlers of mq's calls."""
