"""Registry's constants."""

MODULE_INDEX = 86
"""Module index of the registry (as PhalaRegistry on Khala)."""
MODULE_NAME = "Registry"
"""Storage prefix name."""
REGISTER_WEIGHT = 1_500_000_000
"""Weight (ps) of a registration: dominated by one DCAP quote verification (~0.5 ms)."""
ENDPOINT_WEIGHT = 100_000_000
"""Weight (ps) of an endpoint update (one sr25519 verification)."""
GOVERNANCE_WEIGHT = 50_000_000
"""Weight (ps) of a governance list change."""
MAX_QUOTE_AGE_SECS = 2 * 3600
"""A registration quote must have been requested within the last two hours."""
MAX_ENDPOINT_AGE_SECS = 4 * 3600
"""An endpoint update must have been signed within the last four hours."""
MAX_CLOCK_AHEAD_SECS = 30
"""How far a worker's timestamps may run ahead of the block time (the block drift bound)."""
MAX_ENDPOINT_LENGTH = 512
"""Longest endpoint URL stored on chain."""
REPORT_DATA_BINDING = slice(0, 32)
"""REPORTDATA bytes holding ``blake2_256(SCALE(WorkerRegistrationInfo))``."""
REPORT_DATA_TIME = slice(32, 40)
"""REPORTDATA bytes holding the quote request time (u64 LE seconds)."""
BENCH_START_TOPIC = b"khala/registry/bench-start"
"""Topic of ``BenchStart`` messages telling a new worker to benchmark."""
BENCH_REPORT_TOPIC = b"^khala/registry/bench-report"
"""On-chain topic of workers' signed ``BenchReport`` messages."""
MASTER_PUBKEY_TOPIC = b"^khala/registry/master-pubkey"
"""On-chain topic where the first gatekeeper publishes the master public key."""
PALLET_ID = b"registry"
"""Sender name of the registry's messages to workers."""
SCORE_CAP = 6000
"""Benchmark scores are capped (DESIGN §6) so a fast machine cannot dominate shares."""
SCORE_PERIOD_SECS = 6
"""A score counts iterations per 6 seconds."""
GATEKEEPER_REGISTERED_TOPIC = b"khala/registry/gatekeeper-registered"
"""Topic telling gatekeepers a new one needs the master key (``NewGatekeeper``)."""
MASTER_KEY_TOPIC = b"khala/gatekeeper/master-key"
"""Topic of the gatekeepers' ``MasterKeyDistribution`` messages (signed by the master key)."""
