"""Mq's own topics: governance's liveness ping and the workers' pongs."""

from __future__ import annotations

from khala.runtime.modules.mq.constants import PING_TOPIC, PONG_TOPIC
from khala.runtime.modules.mq.types import PalletOrigin, WorkerOrigin
from khala.runtime.topic import Topic

PING: Topic[bytes] = Topic(
    PING_TOPIC,
    None,
    (PalletOrigin,),
    "Governance's probe (opaque bytes); every worker answers with a signed pong.",
)
"""Pings to workers."""
PONG: Topic[bytes] = Topic(
    PONG_TOPIC,
    None,
    (WorkerOrigin,),
    "A worker's answer: the ping's payload, signed by the worker.",
)
"""Workers' pongs."""
TOPICS = (PING, PONG)
"""Mq's topics."""
