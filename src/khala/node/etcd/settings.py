"""The clustered engine's settings and errors."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from khala.errors import KhalaError

MEMBER_TTL_S = 5
"""Lifetime of a node's ``members/`` entry: a node gone this long stops receiving relayed
transactions (the others still hold them)."""


class ClusterErrorCode(StrEnum):
    """Codes of :class:`ClusterError`."""

    STATE_DIVERGED = "cluster.state_diverged"
    """A block sealed by an authority executes to another state here than its header claims:
    this node and the author disagree on the rules (different releases, or a bug). The node
    halts and signs nothing; compare versions with the other nodes before restarting."""
    UNKNOWN_CHAIN = "cluster.unknown_chain"
    """etcd holds no chain with that genesis hash (or several chains and none was named):
    pass ``--genesis-hash`` with one the command lists."""
    TOO_FAR_BEHIND = "cluster.too_far_behind"
    """etcd no longer holds the blocks this node needs next and no peer served them; start
    the node from a recent snapshot (``khala node import-snapshot``)."""


class ClusterError(KhalaError):
    """The clustered engine cannot continue safely."""


class LeadershipLostError(Exception):
    """This node's term ended (its lease lapsed or another node leads)."""


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """Timing and housekeeping of the clustered engine."""

    block_time_s: float = 2.0
    """Seconds between blocks the leader builds."""
    lease_ttl_s: int = 2
    """Lifetime of the leader's lease: how long a dead leader blocks the others (etcd's
    smallest TTL with its default election timeout is 2 s)."""
    poll_s: float = 0.25
    """How often followers look for a vacant leadership."""
    max_unfinalized: int = 32
    """The leader stops building while this many blocks wait for their votes (most authorities
    are down: piling up blocks nobody can finalize would only grow the log)."""
    keep_blocks: int = 512
    """Finalized blocks (and their votes) kept in etcd; older ones live in the nodes' LMDB
    only, and nodes further behind sync from peers or a snapshot."""
    housekeeping_every: int = 128
    """Blocks between two clean-ups of old keys plus an etcd compaction."""
    defragment_every: int = 8
    """Compactions between two defragmentations (which briefly pause a member)."""
    connect_timeout_s: float = 30.0
    """How long a starting node waits for any etcd member before it stops with
    ``etcd.unavailable`` (members started together need a few seconds to elect a leader)."""
