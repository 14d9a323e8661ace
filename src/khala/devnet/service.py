"""Running a devnet: prepare its directory, supervise its processes, seed it, show it.

The loop runs once a second: a seeding pass (in a thread, one at a time; passes are
idempotent, so they keep a resumed network in shape: a worker back from a restart is started
again), a snapshot (in a thread), and the view — a rich live display, or one JSON line per
second with ``--json-status``. SIGINT or SIGTERM stops every process cleanly; the directory
keeps the chain, keys and ports, so the next run resumes the same network.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from rich.console import Console
from rich.live import Live

from khala.devnet import status
from khala.devnet.cluster import ClusterSetupError, ClusterSetupErrorCode
from khala.devnet.layout import GATEKEEPERS, DevnetState, Layout
from khala.devnet.seeding import Seeder, SeedingError
from khala.devnet.supervisor import ProcessSpec, Supervisor
from khala.node.etcd.members import initial_cluster, member_args
from khala.primitives.crypto import keypair_from_uri
from khala.primitives.hashing import blake2_256
from khala.runtime.genesis import DEV_ACCOUNTS
from khala.sdk import Client, SdkError
from khala.service.guards import BasePathLock

log = structlog.get_logger("khala.devnet")

TICK_S = 1.0
"""Seconds between snapshots (and seeding passes)."""
OPERATOR = "0x" + keypair_from_uri("//Bob").public_key.hex()
"""//Bob operates the workers and owns the pool."""
RELAYER_PAYER = "//Dave"
"""//Dave pays the relayer's fees."""


@dataclass(frozen=True, slots=True)
class DevnetOptions:
    """What ``khala devnet`` was asked for."""

    directory: Path
    """Where the devnet lives."""
    workers: int
    """Mining workers besides the two gatekeepers."""
    block_time_s: float
    """Seconds between blocks."""
    fresh: bool
    """Start over (delete the directory first)."""
    console: bool
    """Run the web console."""
    json_status: bool
    """One JSON line per second instead of the live view."""
    nodes: int = 1
    """Chain nodes: more than one runs etcd members and the etcd engine (``--nodes``)."""


def process_specs(
    layout: Layout, state: DevnetState, *, console: bool, etcd_binary: str = "etcd"
) -> list[ProcessSpec]:
    """The node(s), the workers (gatekeepers first), the relayer and the console, in start order.

    With several nodes, the etcd members come first and each node runs the etcd engine as
    authority //Alice, //Bob, ...; the workers are spread over the nodes (each syncs through
    its own node), the relayer and the console use the first.
    """
    url = f"http://127.0.0.1:{state.rpc_port}"
    specs = _node_specs(layout, state, etcd_binary)
    urls = state.node_urls
    for index, name in enumerate(state.names):
        port, control = state.worker_ports[name]
        extra = ("--gatekeeper",) if name in GATEKEEPERS else ()
        specs.append(
            ProcessSpec(
                name,
                (
                    "worker", "--node", urls[index % len(urls)],
                    "--base-path", str(layout.base_path(name)),
                    "--dev-pki", str(layout.pki), "--port", str(port),
                    "--control-port", str(control), "--operator", OPERATOR,
                    "--checkpoint-interval", "10", "--benchmark-duty", "0.1", *extra,
                ),
            )
        )  # fmt: skip
    controls = ",".join(f"http://127.0.0.1:{state.worker_ports[n][1]}" for n in state.names)
    specs.append(
        ProcessSpec(
            "relayer",
            (
                "relayer", "--node", url, "--workers", controls, "--operator", RELAYER_PAYER,
                "--owner", OPERATOR, "--state", str(layout.root / "relayer.json"),
            ),
        )
    )  # fmt: skip
    if console:
        publics = ",".join(f"http://127.0.0.1:{state.worker_ports[n][0]}" for n in state.names)
        specs.append(
            ProcessSpec(
                "console",
                ("console", "--node", url, "--port", str(state.console_port), "--workers", publics),
            )
        )
    return specs


def _node_specs(layout: Layout, state: DevnetState, etcd_binary: str) -> list[ProcessSpec]:
    """The etcd members (several nodes only) and the nodes."""
    common = ("--genesis", str(layout.genesis_file), "--block-time", str(state.block_time_s))
    if state.nodes == 1:
        return [
            ProcessSpec(
                "node",
                ("node", "--base-path", str(layout.base_path("node")),
                 "--rpc-port", str(state.rpc_port), *common),
            )
        ]  # fmt: skip
    members = initial_cluster([peer for _, peer in state.etcd_ports])
    token = "khala-devnet-" + blake2_256(str(layout.root.resolve()).encode()).hex()[:16]
    specs = [
        ProcessSpec(
            f"etcd{index + 1}",
            member_args(index, layout.root / "etcd", client, peer, members, token),
            program=etcd_binary,
        )
        for index, (client, peer) in enumerate(state.etcd_ports)
    ]
    endpoints = ",".join(f"http://127.0.0.1:{client}" for client, _ in state.etcd_ports)
    for index, port in enumerate((state.rpc_port, *state.node_ports)):
        name = "node" if index == 0 else f"node{index + 1}"
        specs.append(
            ProcessSpec(
                name,
                ("node", "--base-path", str(layout.base_path(name)), "--rpc-port", str(port),
                 *common, "--engine", "etcd", "--etcd-endpoints", endpoints,
                 "--authority", f"//{DEV_ACCOUNTS[index]}"),
            )
        )  # fmt: skip
    return specs


class Devnet:
    """One running devnet."""

    def __init__(self, options: DevnetOptions) -> None:
        """Prepare the directory (``--fresh`` wipes it first)."""
        self.options = options
        self.layout = Layout(options.directory)
        if options.fresh:
            self.layout.wipe()
        self.lock = BasePathLock(self.layout.root)
        etcd_binary = "etcd"
        if options.nodes > 1:
            found = shutil.which("etcd")
            if found is None:
                raise ClusterSetupError(
                    ClusterSetupErrorCode.ETCD_MISSING,
                    "--nodes needs etcd; install it (Debian: apt-get install etcd-server)",
                )
            etcd_binary = found
        self.state = self.layout.prepare(options.workers, options.block_time_s, options.nodes)
        self.supervisor = Supervisor(
            process_specs(
                self.layout, self.state, console=options.console, etcd_binary=etcd_binary
            ),
            self.layout.logs,
        )
        self.client = Client(f"http://127.0.0.1:{self.state.rpc_port}")
        self._pubkeys: dict[str, bytes] = {}
        self.seeder = Seeder(self.client, self.pubkeys, GATEKEEPERS, done=list(self.state.seeded))
        self.stop = asyncio.Event()

    @property
    def console_url(self) -> str | None:
        """The web console's address (None with ``--no-console``)."""
        return f"http://127.0.0.1:{self.state.console_port}" if self.options.console else None

    def pubkeys(self) -> dict[str, bytes]:
        """The identity keys of the workers that answered so far."""
        for name in self.state.names:
            if name not in self._pubkeys:
                info = status.worker_info(self.state.worker_ports[name][0])
                if info is not None:
                    self._pubkeys[name] = bytes.fromhex(str(info["pubkey"])[2:])
        return dict(self._pubkeys)

    def snapshot(self, started: float) -> dict[str, Any]:
        """The current state, for the view."""
        ports = {name: self.state.worker_ports[name][0] for name in self.state.names}
        snapshot = status.collect(
            self.client,
            self.supervisor,
            ports,
            self.seeder.done,
            self.seeder.pool_id,
            started,
            self.console_url,
        )
        snapshot["rpc"] = f"ws://127.0.0.1:{self.state.rpc_port}"
        return snapshot

    async def run(self) -> None:
        """Supervise, seed and show until SIGINT/SIGTERM; then stop every process."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, self.stop.set)
        started = time.monotonic()
        self.supervisor.start()
        seeding: asyncio.Task[None] | None = None
        try:
            with self._view() as show:
                while not self.stop.is_set():
                    if seeding is None or seeding.done():
                        _report(seeding)
                        seeding = asyncio.create_task(asyncio.to_thread(self.seeder.step))
                    show(await asyncio.to_thread(self.snapshot, started))
                    self._remember()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.stop.wait(), TICK_S)
        finally:
            await self.supervisor.stop()
            if seeding is not None:
                with contextlib.suppress(Exception):
                    await seeding
            self._remember()
            self.lock.release()

    def _remember(self) -> None:
        if self.seeder.done != self.state.seeded:
            self.state.seeded = list(self.seeder.done)
            self.layout.save(self.state)

    @contextlib.contextmanager
    def _view(self) -> Any:
        if self.options.json_status:

            def line(snapshot: dict[str, Any]) -> None:
                sys.stdout.write(json.dumps(snapshot) + "\n")
                sys.stdout.flush()

            yield line
            return
        console = Console()
        with Live(console=console, refresh_per_second=2, transient=False) as live:

            def draw(snapshot: dict[str, Any]) -> None:
                live.update(status.render(snapshot))

            yield draw


def _report(task: asyncio.Task[None] | None) -> None:
    """Log why the last seeding pass failed (the next pass retries)."""
    if task is None or task.cancelled():
        return
    error = task.exception()
    if isinstance(error, SeedingError | SdkError | OSError):
        log.info("seeding will retry", reason=str(error))
    elif error is not None:
        log.warning("seeding pass failed", reason=repr(error))


def run(options: DevnetOptions) -> None:
    """Run a devnet until interrupted."""
    devnet = Devnet(options)
    asyncio.run(devnet.run())
