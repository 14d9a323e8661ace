"""Who is in the cluster: each node announces its RPC URL under ``members/`` on a lease.

The relay sends locally accepted transactions to every other announced node. A node that
stops renewing its lease drops out after :data:`~khala.node.etcd.settings.MEMBER_TTL_S`.
"""

from __future__ import annotations

import asyncio

import structlog

from khala.node.etcd.client import Etcd, EtcdError, prefix_end
from khala.node.etcd.log import LogKeys
from khala.node.etcd.relay import Relay
from khala.node.etcd.settings import MEMBER_TTL_S

log = structlog.get_logger("khala.cluster")


class Membership:
    """Announces this node and keeps the relay's member list current."""

    def __init__(self, etcd: Etcd, keys: LogKeys, me: bytes, rpc_url: str, relay: Relay) -> None:
        """Announce node ``me`` at ``rpc_url`` and feed ``relay`` the others."""
        self.etcd = etcd
        self.keys = keys
        self.me = me
        self.rpc_url = rpc_url
        self.relay = relay
        self.peers: dict[bytes, str] = {}
        """The other members' RPC URLs by their node key, as last read."""

    async def run(self) -> None:
        """Announce (leased) and read the others every fifth of the TTL, until cancelled."""
        lease = 0
        while True:
            try:
                if not lease:
                    lease = await self.etcd.grant_lease(MEMBER_TTL_S)
                    await self.etcd.put(
                        self.keys.member(self.me), self.rpc_url.encode(), lease=lease
                    )
                else:
                    await self.etcd.keep_alive(lease)
                found, _ = await self.etcd.range(self.keys.members, prefix_end(self.keys.members))
                self.peers = {
                    key: entry.value.decode()
                    for entry in found
                    if (key := self.keys.member_of(entry.key)) is not None and key != self.me
                }
                self.relay.set_members(sorted(self.peers.values()))
            except EtcdError as error:
                lease = 0
                log.warning("membership unavailable; retrying", error=error.message)
            await asyncio.sleep(MEMBER_TTL_S / 5)
