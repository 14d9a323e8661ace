"""The topic table and the off-chain router: one declaration, one handler, one refusal path."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from khala.offchain.gatekeeper import GatekeeperEconomics
from khala.offchain.routing import Delivery, Route, Router, RouterError, RouterErrorCode
from khala.primitives.crypto import KeyScheme, keypair_from_seed
from khala.primitives.fixed_point import U64F64
from khala.primitives.scale import encode
from khala.runtime.composition import Runtime, RuntimeTableError, RuntimeTableErrorCode
from khala.runtime.modules.computation.topics import CHALLENGE, HEARTBEAT, WORKER_EVENT
from khala.runtime.modules.computation.types import (
    ComputingStarted,
    Heartbeat,
    HeartbeatChallenge,
    WorkerEvent,
)
from khala.runtime.modules.mq.types import AccountOrigin, Message, MessageOrigin, PalletOrigin
from khala.runtime.table import MODULES, RUNTIME
from khala.runtime.topic import Topic, TopicErrorCode
from khala.worker.mining import MiningHost
from khala.worker.send_queue import SendQueue
from tests.offchain.test_economics import EXACT

COMPUTATION = PalletOrigin(b"computation")
WORKER = b"\x07" * 32


def _recorder() -> tuple[list[Any], Route[WorkerEvent]]:
    seen: list[Any] = []

    def handle(at: Delivery, sender: MessageOrigin, event: WorkerEvent) -> None:
        seen.append((at.block, sender, event))

    return seen, Route(WORKER_EVENT, handle)


def test_the_runtime_table_declares_every_topic_once() -> None:
    """Every on-chain route has a declaration; off-chain topics are declared too."""
    assert set(RUNTIME.routes()) <= set(RUNTIME.topics)
    assert WORKER_EVENT.name in RUNTIME.topics and CHALLENGE.name in RUNTIME.topics
    assert RUNTIME.topics[HEARTBEAT.name].payload is Heartbeat


def test_a_declared_message_reaches_its_one_handler_decoded() -> None:
    """The handler gets the block, the sender and the typed payload."""
    seen, route = _recorder()
    router = Router(RUNTIME.topics, [route])
    event = ComputingStarted(WORKER, 3, U64F64(0), 100, 1)
    message = Message(COMPUTATION, WORKER_EVENT.name, encode(event))
    assert router.deliver(Delivery(9, 18), message) is None
    assert seen == [(9, COMPUTATION, event)]
    assert router.stats.as_json() == {"delivered": 1, "refused": {}}


def test_undecodable_and_wrongly_sent_messages_are_refused_counted_and_returned() -> None:
    """Neither reaches the handler; both are counted by code and topic; others pass silently."""
    seen, route = _recorder()
    router = Router(RUNTIME.topics, [route])
    garbage = Message(COMPUTATION, WORKER_EVENT.name, b"\x09")
    forged = Message(
        AccountOrigin(b"\x01" * 32),
        WORKER_EVENT.name,
        encode(ComputingStarted(WORKER, 3, U64F64(0), 100, 1)),
    )
    unrelated = Message(COMPUTATION, CHALLENGE.name, b"")
    refused = router.deliver_all(Delivery(1, 2), [garbage, forged, garbage, unrelated])
    assert [error.code for error in refused] == [
        TopicErrorCode.UNDECODABLE,
        TopicErrorCode.WRONG_SENDER,
        TopicErrorCode.UNDECODABLE,
    ]
    assert "khala/mining/worker-event" in refused[0].message
    assert seen == []
    assert router.stats.as_json() == {
        "delivered": 0,
        "refused": {
            "topic.undecodable": {"khala/mining/worker-event": 2},
            "topic.wrong_sender": {"khala/mining/worker-event": 1},
        },
    }


def test_a_topic_has_one_handler_and_must_be_declared() -> None:
    """Two subscriptions to a topic, or one to an undeclared topic, cannot make a router."""
    _, route = _recorder()
    with pytest.raises(RouterError) as caught:
        Router(RUNTIME.topics, [route, route])
    assert caught.value.code is RouterErrorCode.DUPLICATE_ROUTE
    stray = Topic(b"khala/nobody", Heartbeat, (PalletOrigin,), "not in the table")
    with pytest.raises(RouterError) as caught:
        Router(RUNTIME.topics, [Route(stray, lambda *_: None)])
    assert caught.value.code is RouterErrorCode.UNDECLARED_TOPIC
    retyped = dataclasses.replace(WORKER_EVENT, payload=Heartbeat)
    with pytest.raises(RouterError) as caught:
        Router(RUNTIME.topics, [Route(retyped, lambda *_: None)])
    assert caught.value.code is RouterErrorCode.UNDECLARED_TOPIC


def test_a_gatekeeper_and_a_miner_cannot_share_a_process_router() -> None:
    """The replay and the mining host both follow session events: one per process."""
    mining = MiningHost(SendQueue(keypair_from_seed(KeyScheme.SR25519, b"\x01" * 32)), lambda: 0)
    replay = GatekeeperEconomics(EXACT)
    with pytest.raises(RouterError) as caught:
        Router(RUNTIME.topics, [*mining.routes(), *replay.routes()])
    assert caught.value.code is RouterErrorCode.DUPLICATE_ROUTE


def test_the_replay_ignores_a_challenge_it_cannot_decode() -> None:
    """An undecodable challenge changes nothing in the economics (and is counted)."""
    replay = GatekeeperEconomics(EXACT)
    message = Message(COMPUTATION, CHALLENGE.name, encode(HeartbeatChallenge(0, 1))[:5])
    assert replay.process_block(1, 2, [message]) is None
    assert replay._router.stats.refused == {"topic.undecodable": {"khala/mining/challenge": 1}}


def test_tables_that_declare_a_topic_twice_or_route_an_undeclared_one_are_refused() -> None:
    """The runtime table checks topics as it checks indices and names."""
    mq = next(module for module in MODULES if module.name == "Mq")
    twice = dataclasses.replace(mq, topics=(*mq.topics, mq.topics[0]))
    with pytest.raises(RuntimeTableError) as caught:
        Runtime(tuple(twice if module is mq else module for module in MODULES))
    assert caught.value.code is RuntimeTableErrorCode.DUPLICATE_TOPIC
    routed = dataclasses.replace(mq, routes={b"^khala/undeclared": lambda *_: None})
    with pytest.raises(RuntimeTableError) as caught:
        Runtime(tuple(routed if module is mq else module for module in MODULES))
    assert caught.value.code is RuntimeTableErrorCode.UNDECLARED_TOPIC
