"""Phat contracts' on-chain message handlers: published keys, results, contract events.

Mq checked each message's signature and sequence before routing here: key publications are
signed by the master key (``Gatekeeper`` origin), instantiation results by the cluster's key
(``Cluster`` origin) and contract events by the contract's key (``Contract`` origin), whose
public halves this module stores (:func:`~khala.runtime.modules.phat.state.cluster_signing_key`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from khala.runtime.context import Context
from khala.runtime.modules.mq.routing import decode_payload
from khala.runtime.modules.mq.types import ClusterOrigin, ContractOrigin, Message
from khala.runtime.modules.phat import events, topics
from khala.runtime.modules.phat import state as st
from khala.runtime.modules.phat.errors import PhatErrorCode, phat_error
from khala.runtime.modules.phat.types import ContractStatus
from khala.runtime.state import State
from khala.runtime.topic import Topic

T = TypeVar("T")


def _payload(topic: Topic[T], message: Message) -> T:
    return decode_payload(
        topic, message, lambda reason: phat_error(PhatErrorCode.MALFORMED_MESSAGE, reason)
    )


def on_cluster_key(state: State, ctx: Context, message: Message) -> None:
    """Store a cluster's public keys (the gatekeepers derived them from the master key)."""
    published = _payload(topics.CLUSTER_KEY, message)
    if st.CLUSTERS.get(state, published.cluster) is None:
        raise phat_error(PhatErrorCode.CLUSTER_NOT_FOUND, "a key for a cluster that does not exist")
    st.CLUSTER_KEYS.insert(state, published.cluster, published.keys)
    ctx.emit(events.ClusterPubkeyAvailable(published.cluster, published.keys.ecdh))


def on_contract_key(state: State, ctx: Context, message: Message) -> None:
    """Store a contract's public keys: users can now encrypt commands to it."""
    published = _payload(topics.CONTRACT_KEY, message)
    contract = st.CONTRACTS.get(state, published.contract)
    if contract is None or bytes(contract.cluster) != published.cluster:
        raise phat_error(PhatErrorCode.MALFORMED_MESSAGE, "a key for an unknown contract")
    st.CONTRACT_KEYS.insert(state, published.contract, published.keys)
    ctx.emit(
        events.ContractPubkeyAvailable(published.contract, published.cluster, published.keys.ecdh)
    )


def on_instantiated(state: State, ctx: Context, message: Message) -> None:
    """Record a constructor's result, reported by the contract's own cluster."""
    report = _payload(topics.INSTANTIATED, message)
    sender = message.sender
    contract = st.CONTRACTS.get(state, report.contract)
    if (
        contract is None
        or not isinstance(sender, ClusterOrigin)
        or bytes(sender.cluster_id) != bytes(contract.cluster)
    ):
        raise phat_error(PhatErrorCode.MALFORMED_MESSAGE, "a result from another cluster")
    if contract.status is not ContractStatus.PENDING:
        raise phat_error(PhatErrorCode.MALFORMED_MESSAGE, "the result was already recorded")
    status = ContractStatus.INSTANTIATED if report.ok else ContractStatus.FAILED
    st.CONTRACTS.insert(state, report.contract, replace(contract, status=status))
    if report.ok:
        ctx.emit(events.Instantiated(report.contract, contract.cluster, contract.deployer))
    else:
        ctx.emit(events.InstantiationFailed(report.contract, contract.cluster, report.reason))


def on_contract_event(state: State, ctx: Context, message: Message) -> None:
    """Publish an event a contract emitted in a command as ``ContractEmitted``."""
    event = _payload(topics.CONTRACT_EVENT, message)
    sender = message.sender
    if (
        not isinstance(sender, ContractOrigin)
        or st.CONTRACTS.get(state, sender.contract_id) is None
    ):
        raise phat_error(PhatErrorCode.CONTRACT_NOT_FOUND, "an event from an unknown contract")
    ctx.emit(events.ContractEmitted(sender.contract_id, event.topics, event.data))
