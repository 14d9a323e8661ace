"""The relayer as a service: one frozen config, one ``run()``, every task in one TaskGroup.

The fleet sync-and-egress loop and one registration task per worker share a submitter, so
their transactions never race for the operator's nonce. A task that fails with an error it
cannot handle stops the whole service with that error (no log-and-continue); transient
failures (an unreachable worker or node) are retried inside the tasks with backoff.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from khala.primitives.crypto import Keypair
from khala.relayer.registration import (
    DEFAULT_REFRESH_S,
    RelayerConfig,
    relay_forever,
    relay_once,
)
from khala.relayer.submitter import Submitter
from khala.relayer.sync import DEFAULT_BATCH, SyncConfig, Syncer
from khala.sdk import Receipt


@dataclass(frozen=True, slots=True)
class RelayerServiceConfig:
    """Everything ``khala relayer`` is configured with."""

    node_url: str
    """The chain node's RPC URL."""
    workers: tuple[str, ...]
    """The workers' control API URLs."""
    operator: Keypair
    """Pays the fees of registrations and relayed messages."""
    owner: bytes | None = None
    """The operator every worker must be configured with (None: accept each worker's)."""
    refresh_s: float = DEFAULT_REFRESH_S
    """Seconds between re-registrations."""
    batch: int = DEFAULT_BATCH
    """Blocks per sync request."""
    state_file: Path | None = None
    """Where per-worker progress is persisted."""
    register: bool = True
    """Also register the workers and publish their endpoints."""


class RelayerService:
    """Registers workers, keeps them synced, relays their messages, until cancelled."""

    def __init__(self, config: RelayerServiceConfig) -> None:
        """Prepare the tasks; nothing runs until :meth:`run`."""
        self.config = config
        self.submitter = Submitter(config.operator)
        self.syncer = Syncer(
            SyncConfig(
                config.node_url,
                config.workers,
                config.operator,
                config.batch,
                config.state_file,
                submitter=self.submitter,
            )
        )

    def registrations(self, *, shared: bool = True) -> list[RelayerConfig]:
        """One registration config per worker (sharing the submitter when ``shared``)."""
        return [
            RelayerConfig(
                self.config.node_url,
                url.rstrip("/"),
                self.config.operator,
                self.config.refresh_s,
                submitter=self.submitter if shared else None,
                owner=self.config.owner,
            )
            for url in self.config.workers
        ]

    async def run(self) -> None:
        """Run the sync loop and the registration tasks until cancelled or one fails."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self.syncer.run_forever())
            if self.config.register:
                for registration in self.registrations():
                    group.create_task(relay_forever(registration))

    async def register_once(self) -> list[tuple[Receipt, Receipt]]:
        """Register every worker and publish its endpoint once (``--once``).

        Raises:
            RelayerError: At the first worker that cannot be reached or is refused.
        """
        return [await relay_once(config) for config in self.registrations(shared=False)]
