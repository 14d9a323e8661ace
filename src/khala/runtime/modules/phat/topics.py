"""Phat contracts topics: cluster operations out, keys, results and contract events in."""

from __future__ import annotations

from khala.runtime.modules.mq.types import (
    ClusterOrigin,
    ContractOrigin,
    GatekeeperOrigin,
    PalletOrigin,
)
from khala.runtime.modules.phat.constants import (
    CLUSTER_KEY_DISTRIBUTION_TOPIC,
    CLUSTER_KEY_TOPIC,
    CLUSTER_TOPIC,
    CONTRACT_EVENT_TOPIC,
    CONTRACT_KEY_TOPIC,
    INSTANTIATED_TOPIC,
)
from khala.runtime.modules.phat.payloads import (
    ClusterKeyDistribution,
    ClusterKeyPublication,
    ClusterOperation,
    ContractEventPayload,
    ContractKeyPublication,
    InstantiationReport,
)
from khala.runtime.topic import Topic

CLUSTER = Topic(
    CLUSTER_TOPIC,
    ClusterOperation,
    (PalletOrigin,),
    "Cluster operations in block order: creation, code, deposits, instantiations, commands.",
)
"""What every cluster worker (and the gatekeepers) replay."""
CLUSTER_KEY = Topic(
    CLUSTER_KEY_TOPIC,
    ClusterKeyPublication,
    (GatekeeperOrigin,),
    "A cluster's public keys, derived from the master key by the gatekeepers.",
)
"""Cluster key publications (on chain only)."""
CONTRACT_KEY = Topic(
    CONTRACT_KEY_TOPIC,
    ContractKeyPublication,
    (GatekeeperOrigin,),
    "A contract's public keys, derived from its cluster's key by the gatekeepers.",
)
"""Contract key publications (on chain only)."""
CLUSTER_KEY_DISTRIBUTION = Topic(
    CLUSTER_KEY_DISTRIBUTION_TOPIC,
    ClusterKeyDistribution,
    (GatekeeperOrigin,),
    "A cluster key encrypted to one worker of the cluster.",
)
"""Cluster key distributions."""
INSTANTIATED = Topic(
    INSTANTIATED_TOPIC,
    InstantiationReport,
    (ClusterOrigin,),
    "A cluster's constructor result, signed by the cluster key.",
)
"""Instantiation results (on chain only)."""
CONTRACT_EVENT = Topic(
    CONTRACT_EVENT_TOPIC,
    ContractEventPayload,
    (ContractOrigin,),
    "An event a contract emitted in a command, signed by the contract key.",
)
"""Contract events (on chain only)."""
TOPICS = (
    CLUSTER,
    CLUSTER_KEY,
    CONTRACT_KEY,
    CLUSTER_KEY_DISTRIBUTION,
    INSTANTIATED,
    CONTRACT_EVENT,
)
"""Every topic of the module."""
