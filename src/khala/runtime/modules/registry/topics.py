"""Registry's message topics: benchmarks, the master public key and its distribution."""

from __future__ import annotations

from khala.runtime.modules.mq.types import GatekeeperOrigin, PalletOrigin, WorkerOrigin
from khala.runtime.modules.registry.constants import (
    BENCH_REPORT_TOPIC,
    BENCH_START_TOPIC,
    GATEKEEPER_REGISTERED_TOPIC,
    MASTER_KEY_TOPIC,
    MASTER_PUBKEY_TOPIC,
)
from khala.runtime.modules.registry.types import (
    BenchReport,
    BenchStart,
    MasterKeyDistribution,
    MasterPubkeyUpload,
    NewGatekeeper,
)
from khala.runtime.topic import Topic

BENCH_START = Topic(
    BENCH_START_TOPIC,
    BenchStart,
    (PalletOrigin,),
    "Tells a newly registered worker to benchmark for a number of blocks.",
)
"""The registry's benchmark orders."""
BENCH_REPORT = Topic(
    BENCH_REPORT_TOPIC,
    BenchReport,
    (WorkerOrigin,),
    "A worker's signed benchmark result; the chain turns it into the initial score.",
)
"""Workers' benchmark reports (on chain only)."""
MASTER_PUBKEY = Topic(
    MASTER_PUBKEY_TOPIC,
    MasterPubkeyUpload,
    (WorkerOrigin,),
    "The first gatekeeper publishes the master public key it generated.",
)
"""The master public key's publication (on chain only)."""
GATEKEEPER_REGISTERED = Topic(
    GATEKEEPER_REGISTERED_TOPIC,
    NewGatekeeper,
    (PalletOrigin,),
    "A gatekeeper was added and needs the master key from the others.",
)
"""New gatekeepers, for the gatekeepers holding the key."""
MASTER_KEY = Topic(
    MASTER_KEY_TOPIC,
    MasterKeyDistribution,
    (GatekeeperOrigin,),
    "The master key, encrypted to one gatekeeper's ECDH key, signed by the master key.",
)
"""Master key distributions."""
TOPICS = (BENCH_START, BENCH_REPORT, MASTER_PUBKEY, GATEKEEPER_REGISTERED, MASTER_KEY)
"""Every topic the registry sends or handles."""
