"""Computation's constants."""

MODULE_INDEX = 87
"""Module index of computation (as PhalaComputation on Khala)."""
MODULE_NAME = "Computation"
"""Storage prefix name."""
PALLET_ID = b"computation"
"""Sender name of the module's messages to workers (``PalletOrigin``)."""
CHALLENGE_TOPIC = b"khala/mining/challenge"
"""Topic of the per-block ``HeartbeatChallenge`` sent to every worker."""
WORKER_EVENT_TOPIC = b"khala/mining/worker-event"
"""Topic of ``WorkerEvent`` messages (computing started or stopped) to workers and gatekeepers."""
HEARTBEAT_TOPIC = b"khala/mining/heartbeat"
"""Topic of workers' heartbeats: recorded on chain and delivered to the gatekeepers."""
SETTLE_TOPIC = b"^khala/mining/settle"
"""On-chain topic of the gatekeepers' ``WorkingInfoUpdate`` settlements."""
SESSION_DOMAIN = b"khala/computation/session"
"""Domain of session account ids: ``blake2_256(domain ++ owner ++ worker)`` (no key exists)."""
MIN_SCORE = 50
"""A worker needs this benchmark score to start computing (DESIGN §6)."""
SESSION_WEIGHT = 100_000_000
"""Weight (ps) of a session call (a few storage reads and writes, one reserve)."""
GOVERNANCE_WEIGHT = 50_000_000
"""Weight (ps) of a governance switch or parameter update."""
SUBSIDY_ACCOUNT = b"modl" + b"kh/subsd" + bytes(20)
"""The mining subsidy pot (a PalletId-style keyless account funded at genesis): settlements
pay workers' owners and the treasury from it, never by minting."""
REWARDED = "computation.rewarded"
"""Announced after a settlement pays a session's owner: ``(owner, worker, payout)``; a stake
pool owning the session splits the payout into commission and pool value."""
RECLAIMED = "computation.reclaimed"
"""Announced after a reclaim unreserves a session's stake: ``(owner, worker, stake,
slashed)``; a stake pool owning the session takes the stake back as free stake."""
