"""A clustered chain's state as an operator sees it: from etcd, then from each node.

etcd says who leads (and since which term), which nodes are members (their RPC URLs, on
leases), how far the log reaches and how many authorities voted on its tip; each member's
RPC then says its own head and finalized block. ``khala cluster status`` prints it; nothing
here writes anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from khala.node.etcd.client import Etcd, prefix_end
from khala.node.etcd.log import LeaderInfo, LogKeys
from khala.sdk import AsyncClient, SdkError

CHAINS_PREFIX = b"/khala/0x"
"""Where every chain's keys start (followed by its genesis hash)."""
HEAD_TIMEOUT_S = 5.0
"""How long a member may take to tell its head before it is reported unreachable."""

Heads = Callable[[str], Awaitable[tuple[int, int]]]
"""Asks a node's RPC URL for its (head, finalized) block numbers."""


@dataclass(frozen=True, slots=True)
class MemberStatus:
    """One announced node."""

    node: bytes
    """Its ed25519 authority key."""
    rpc_url: str
    """Where it answers."""
    head: int | None
    """Its head block (None: it did not answer)."""
    finalized: int | None
    """Its finalized block (None: it did not answer)."""
    error: str | None
    """Why it did not answer."""


@dataclass(frozen=True, slots=True)
class ClusterStatus:
    """The cluster of one chain."""

    genesis_hash: bytes
    """The chain."""
    leader: LeaderInfo | None
    """The leader's key and URL (None: nobody leads right now)."""
    term: int
    """The leader's term (its key's create revision; 0 without a leader)."""
    log_tip: int | None
    """The highest block etcd holds (older ones are pruned to a window)."""
    tip_votes: int
    """Authorities that voted on that block so far."""
    members: list[MemberStatus]
    """The announced nodes, by key."""


async def chains(etcd: Etcd) -> list[bytes]:
    """The genesis hashes of the chains whose keys etcd holds."""
    found, _ = await etcd.range(CHAINS_PREFIX, prefix_end(CHAINS_PREFIX))
    hashes = set()
    for entry in found:
        text = entry.key[len(CHAINS_PREFIX) :].split(b"/", 1)[0]
        try:
            if len(text) == 64:
                hashes.add(bytes.fromhex(text.decode()))
        except ValueError:
            continue
    return sorted(hashes)


async def node_heads(url: str) -> tuple[int, int]:
    """A node's (head, finalized) block numbers over its JSON-RPC.

    Raises:
        SdkError: When it does not answer or answers something else.
    """
    async with asyncio.timeout(HEAD_TIMEOUT_S), AsyncClient(url) as client:
        head = await client.rpc("chain_getHeader")
        final_hash = await client.rpc("chain_getFinalizedHead")
        final = await client.rpc("chain_getHeader", final_hash)
    return int(head["number"], 16), int(final["number"], 16)


async def cluster_status(
    etcd: Etcd, genesis_hash: bytes, heads: Heads = node_heads
) -> ClusterStatus:
    """Read the chain's leader, log tip and members from etcd, then ask each member.

    Raises:
        EtcdError: When etcd cannot be read.
    """
    keys = LogKeys(genesis_hash)
    current = await etcd.get(keys.leader)
    leader = None if current is None else LeaderInfo.decode(current.value)
    blocks, _ = await etcd.range(keys.blocks, prefix_end(keys.blocks))
    numbers = [n for entry in blocks if (n := keys.block_number(entry.key)) is not None]
    tip = max(numbers, default=None)
    votes = 0
    if tip is not None:
        found, _ = await etcd.range(keys.votes_at(tip), prefix_end(keys.votes_at(tip)))
        votes = len(found)
    announced, _ = await etcd.range(keys.members, prefix_end(keys.members))
    members = sorted(
        (node, entry.value.decode(errors="replace"))
        for entry in announced
        if (node := keys.member_of(entry.key)) is not None
    )
    answers = await asyncio.gather(*(heads(url) for _, url in members), return_exceptions=True)
    statuses = []
    for (node, url), answer in zip(members, answers, strict=True):
        if isinstance(answer, tuple):
            statuses.append(MemberStatus(node, url, answer[0], answer[1], None))
        else:
            why = answer.message if isinstance(answer, SdkError) else repr(answer)
            statuses.append(MemberStatus(node, url, None, None, why))
    term = 0 if current is None else current.create_revision
    return ClusterStatus(genesis_hash, leader, term, tip, votes, statuses)
