"""The off-chain message router: one handler per topic, one way to refuse a bad message.

A worker (and, in gatekeeper mode, the gatekeeper replay) subscribes handlers to topics of the
runtime's topic table (:attr:`khala.runtime.composition.Runtime.topics`). :meth:`Router.deliver`
opens each message through its topic's declaration, so the payload type and the allowed
senders are written once, in the module that owns the topic. A message the declaration
refuses never reaches a handler: it is counted by topic and code (``topic.undecodable``,
``topic.wrong_sender``), reported in the worker's ``/info``, and returned to the caller to log.
Topics nobody subscribed to are passed over silently (workers see every outbound message).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from khala.errors import KhalaError
from khala.runtime.modules.mq.types import Message, MessageOrigin
from khala.runtime.topic import Topic, TopicError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where a message arrived: the verified block that carried it."""

    block: int
    """The block number."""
    time_s: int
    """The block's timestamp in seconds."""


@dataclass(frozen=True, slots=True)
class Route(Generic[T]):
    """A subscription: a declared topic and the one handler of its opened payloads."""

    topic: Topic[T]
    """The topic, as its module declares it."""
    handler: Callable[[Delivery, MessageOrigin, T], None]
    """Called with the block, the (checked) sender and the decoded payload."""


class RouterErrorCode(StrEnum):
    """Codes of :class:`RouterError`: subscriptions that cannot make a router."""

    DUPLICATE_ROUTE = "router.duplicate_route"
    """Two handlers subscribe to the same topic (a topic has one handler per process)."""
    UNDECLARED_TOPIC = "router.undeclared_topic"
    """A handler subscribes to a topic the runtime table does not declare."""


class RouterError(KhalaError):
    """Inconsistent subscriptions (a programming error, caught when the worker starts)."""


@dataclass
class RouterStats:
    """What the router did, for ``/info``."""

    delivered: int = 0
    """Messages handed to a handler."""
    refused: dict[str, dict[str, int]] = field(default_factory=dict)
    """Refused messages by code, then by topic."""

    def count(self, error: TopicError, topic: Topic[Any]) -> None:
        """Count one refused message."""
        by_topic = self.refused.setdefault(error.code.value, {})
        by_topic[topic.label] = by_topic.get(topic.label, 0) + 1

    def as_json(self) -> dict[str, object]:
        """The counters as plain JSON."""
        return {
            "delivered": self.delivered,
            "refused": {code: dict(topics) for code, topics in self.refused.items()},
        }


class Router:
    """Topic -> handler, checked against the runtime's topic table."""

    def __init__(self, table: Mapping[bytes, Topic[Any]], routes: Iterable[Route[Any]]) -> None:
        """Index ``routes``.

        Raises:
            RouterError: A topic subscribed twice, or one ``table`` does not declare (or
                declares differently).
        """
        self.routes: dict[bytes, Route[Any]] = {}
        self.stats = RouterStats()
        for route in routes:
            name = route.topic.name
            if table.get(name) != route.topic:
                raise RouterError(
                    RouterErrorCode.UNDECLARED_TOPIC,
                    f"{route.topic.label} is not declared by the runtime table",
                )
            if name in self.routes:
                raise RouterError(
                    RouterErrorCode.DUPLICATE_ROUTE, f"{route.topic.label} has two handlers"
                )
            self.routes[name] = route

    def deliver(self, at: Delivery, message: Message) -> TopicError | None:
        """Hand ``message`` to its topic's handler; return the refusal, if its topic refused it.

        Handlers' own errors propagate: they are bugs or service failures, not bad messages.
        """
        route = self.routes.get(message.destination)
        if route is None:
            return None
        try:
            payload = route.topic.open(message)
        except TopicError as error:
            self.stats.count(error, route.topic)
            return error
        self.stats.delivered += 1
        route.handler(at, message.sender, payload)
        return None

    def deliver_all(self, at: Delivery, messages: Iterable[Message]) -> list[TopicError]:
        """Deliver a block's messages in order; return the refusals."""
        refused = []
        for message in messages:
            error = self.deliver(at, message)
            if error is not None:
                refused.append(error)
        return refused
