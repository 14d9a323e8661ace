"""Mq's constants."""

MODULE_INDEX = 85
"""Module index of the message queue (as PhalaMq on Khala)."""
MODULE_NAME = "Mq"
"""Storage prefix name."""
SYNC_WEIGHT = 150_000_000
"""Weight (ps) of accepting one signed message (one sr25519 verification and a write)."""
PUSH_WEIGHT = 50_000_000
"""Weight (ps) of pushing a message from an account."""
MAX_PAYLOAD = 64 * 1024
"""Largest message payload in bytes."""
MAX_FUTURE_SEQUENCES = 8
"""How far ahead of a sender's next sequence a message may wait in the pool for the gap to
fill (it is not included until then). A worker has a handful of messages in flight; a bound
keeps one sender from parking a long run of transactions that can never apply."""
ONCHAIN_ONLY_PREFIX = b"^"
"""Topics starting with this byte are handled on chain and never sent to workers."""
PING_TOPIC = b"khala/worker/ping"
"""Governance's liveness probe: every worker answers a ping with a signed pong."""
PONG_TOPIC = b"khala/worker/pong"
"""The topic of the answers: the ping's payload, signed by the worker, carried to the chain."""
MAX_PING_PAYLOAD = 32
"""Largest ping payload: every worker's operator pays to carry the pong, so it stays tiny."""
PING_SENDER = b"governance"
"""The ``PalletOrigin`` name pings are sent under; workers answer no other sender."""
PING_WEIGHT = 50_000_000
"""Weight (ps) of sending a ping (one outbound message)."""
