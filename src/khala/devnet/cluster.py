"""``khala cluster up``: a local clustered chain — etcd members and nodes on loopback.

N etcd members (Debian's ``etcd-server``; Raft orders the block log) and N nodes running the
``etcd`` engine, each an authority of a dev genesis with N authorities (//Alice, //Bob, ...),
each with its own LMDB base path and RPC port, all trusting one dev PKI (``pki/``, which
simulated workers share) so they start from the same genesis. Everything lives under one directory
(``.khala/cluster``): ``cluster.json`` remembers the ports (etcd members keep their peer
addresses for life), so a second run resumes the same chain; ``--fresh`` starts over. The
supervisor restarts any process that dies, so killing the leader shows a failover and the
node rejoining.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from khala.attestation.dev_pki import load_or_create
from khala.devnet.layout import distinct_port, free_port
from khala.devnet.supervisor import ProcessSpec, Supervisor
from khala.errors import KhalaError
from khala.node.etcd.client import EtcdError
from khala.node.etcd.gateway import GatewayEtcd
from khala.node.etcd.log import LeaderInfo, LogKeys
from khala.node.etcd.members import initial_cluster, member_args
from khala.primitives.hashing import blake2_256
from khala.runtime.genesis import DEV_ACCOUNTS
from khala.sdk import Client, SdkError
from khala.sdk.transport import HttpTransport
from khala.service.files import write_atomic
from khala.service.guards import BasePathLock

DEFAULT_CLUSTER_DIRECTORY = Path(".khala/cluster")
"""Where ``khala cluster up`` keeps its data unless told otherwise."""
FIRST_RPC_PORT = 9944
"""Node i's preferred RPC port is this + i (the first node answers where tools expect)."""
FIRST_ETCD_PORT = 2379
"""etcd member i's preferred client port is this + 2i and its peer port the next one."""
TICK_S = 1.0
"""Seconds between two status lines."""


class ClusterSetupErrorCode(StrEnum):
    """Codes of :class:`ClusterSetupError`."""

    ETCD_MISSING = "cluster.etcd_missing"
    """No ``etcd`` executable: install Debian's ``etcd-server``."""
    PORT_TAKEN = "cluster.port_taken"
    """An etcd member's remembered peer port is taken (members keep their addresses): stop
    what uses it or start over with ``--fresh``."""


class ClusterSetupError(KhalaError):
    """The local cluster cannot be started."""


@dataclass
class ClusterState:
    """What a local cluster remembers between runs (``cluster.json``)."""

    nodes: int
    """Nodes (and etcd members)."""
    block_time_s: float
    """Seconds between blocks."""
    rpc_ports: list[int] = field(default_factory=list)
    """Each node's RPC port."""
    etcd_ports: list[list[int]] = field(default_factory=list)
    """Each etcd member's [client, peer] ports."""

    @property
    def endpoints(self) -> list[str]:
        """The etcd members' client URLs."""
        return [f"http://127.0.0.1:{client}" for client, _ in self.etcd_ports]


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """What ``khala cluster up`` was asked for."""

    directory: Path
    """Where the cluster lives."""
    nodes: int
    """Nodes and etcd members (3 tolerates the loss of one etcd member)."""
    block_time_s: float
    """Seconds between blocks."""
    fresh: bool
    """Delete the directory first."""
    json_status: bool
    """One JSON line per second instead of text."""
    etcd_binary: str = "etcd"
    """The etcd executable (looked up on PATH)."""


def prepare(options: ClusterOptions) -> ClusterState:
    """Create or load the cluster's directory, ports and authority key files.

    Raises:
        ClusterSetupError: ``cluster.port_taken`` when a remembered etcd peer port is in use.
    """
    root = options.directory
    state_file = root / "cluster.json"
    if state_file.exists():
        state = ClusterState(**json.loads(state_file.read_text()))
        for _, peer in state.etcd_ports:
            if free_port(peer) != peer:
                raise ClusterSetupError(
                    ClusterSetupErrorCode.PORT_TAKEN,
                    f"etcd's peer port {peer} is in use; stop what holds it, or --fresh",
                )
        state.rpc_ports = [free_port(port) for port in state.rpc_ports]
    else:
        taken: set[int] = set()
        state = ClusterState(options.nodes, options.block_time_s)
        for index in range(options.nodes):
            client = distinct_port(FIRST_ETCD_PORT + 2 * index, taken)
            peer = distinct_port(FIRST_ETCD_PORT + 2 * index + 1, taken)
            state.etcd_ports.append([client, peer])
            state.rpc_ports.append(distinct_port(FIRST_RPC_PORT + index, taken))
    state.block_time_s = options.block_time_s
    load_or_create(root / "pki")  # before the nodes start: they must not race to create it
    for index in range(state.nodes):
        key_file = root / f"n{index + 1}" / "authority.key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(key_file, f"//{DEV_ACCOUNTS[index]}\n".encode(), mode=0o600)
    write_atomic(state_file, json.dumps(asdict(state), indent=2).encode(), mode=0o644)
    return state


def process_specs(root: Path, state: ClusterState, etcd_binary: str) -> list[ProcessSpec]:
    """The etcd members, then the nodes."""
    members = initial_cluster([peer for _, peer in state.etcd_ports])
    token = f"khala-{blake2_256(str(root.resolve()).encode()).hex()[:16]}"
    specs = [
        ProcessSpec(
            f"etcd{index + 1}",
            member_args(index, root / "etcd", client, peer, members, token),
            program=etcd_binary,
        )
        for index, (client, peer) in enumerate(state.etcd_ports)
    ]
    endpoints = ",".join(state.endpoints)
    for index, port in enumerate(state.rpc_ports):
        base = root / f"n{index + 1}"
        specs.append(
            ProcessSpec(
                f"node{index + 1}",
                (
                    "node", "--dev", "--dev-authorities", str(state.nodes),
                    "--engine", "etcd", "--etcd-endpoints", endpoints,
                    "--authority-key", str(base / "authority.key"),
                    "--base-path", str(base), "--rpc-port", str(port),
                    "--block-time", str(state.block_time_s), "--dev-pki", str(root / "pki"),
                ),
            )
        )  # fmt: skip
    return specs


class LocalCluster:
    """One running local cluster."""

    def __init__(self, options: ClusterOptions) -> None:
        """Prepare the directory (``--fresh`` wipes it first).

        Raises:
            ClusterSetupError: When etcd is missing or a port is taken.
        """
        binary = shutil.which(options.etcd_binary)
        if binary is None:
            raise ClusterSetupError(
                ClusterSetupErrorCode.ETCD_MISSING,
                f"no {options.etcd_binary!r} executable found; install etcd "
                "(Debian: apt-get install etcd-server)",
            )
        if options.fresh and options.directory.exists():
            shutil.rmtree(options.directory)
        options.directory.mkdir(parents=True, exist_ok=True)
        self.options = options
        self.lock = BasePathLock(options.directory)
        self.state = prepare(options)
        self.supervisor = Supervisor(
            process_specs(options.directory, self.state, binary), options.directory / "logs"
        )
        self.stop = asyncio.Event()

    def snapshot(self, etcd_leader: LeaderInfo | None, started: float) -> dict[str, Any]:
        """The cluster as seen now: each node's head and finalized block, and the leader."""
        nodes = []
        for index, port in enumerate(self.state.rpc_ports):
            url = f"http://127.0.0.1:{port}"
            entry: dict[str, Any] = {"name": f"node{index + 1}", "rpc": url}
            process = self.supervisor.processes[f"node{index + 1}"]
            entry["process"] = process.state.value
            entry["pid"] = process.pid
            try:
                client = Client(transport=HttpTransport(url, timeout_s=1.0))
                entry["head"] = int(client.rpc("chain_getHeader")["number"], 16)
                final = client.rpc("chain_getFinalizedHead")
                entry["finalized"] = int(client.rpc("chain_getHeader", final)["number"], 16)
            except (SdkError, OSError, KeyError, TypeError, ValueError):
                entry["head"] = entry["finalized"] = None
            entry["leader"] = etcd_leader is not None and etcd_leader.rpc_url == url
            nodes.append(entry)
        return {
            "uptime_s": round(time.monotonic() - started, 1),
            "etcd": self.state.endpoints,
            "nodes": nodes,
        }

    async def run(self) -> None:
        """Supervise and report until SIGINT/SIGTERM; then stop every process."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, self.stop.set)
        started = time.monotonic()
        etcd = GatewayEtcd(self.state.endpoints)
        keys: LogKeys | None = None
        self.supervisor.start()
        try:
            while not self.stop.is_set():
                leader = None
                with contextlib.suppress(EtcdError, SdkError, OSError):
                    if keys is None:
                        url = f"http://127.0.0.1:{self.state.rpc_ports[0]}"
                        first = Client(transport=HttpTransport(url, timeout_s=1.0))
                        keys = LogKeys(await asyncio.to_thread(first.genesis_hash))
                    found = await etcd.get(keys.leader)
                    leader = None if found is None else LeaderInfo.decode(found.value)
                self._show(await asyncio.to_thread(self.snapshot, leader, started))
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(TICK_S):
                        await self.stop.wait()
        finally:
            await etcd.close()
            await self.supervisor.stop()
            self.lock.release()

    def _show(self, snapshot: dict[str, Any]) -> None:
        if self.options.json_status:
            sys.stdout.write(json.dumps(snapshot) + "\n")
        else:
            parts = [
                f"{node['name']}{'*' if node['leader'] else ''} "
                f"#{node['head']}/{node['finalized']} ({node['process']})"
                for node in snapshot["nodes"]
            ]
            sys.stdout.write(f"[{snapshot['uptime_s']:>7}s] " + "  ".join(parts) + "\n")
        sys.stdout.flush()


def run(options: ClusterOptions) -> None:
    """Run a local cluster until interrupted."""
    cluster = LocalCluster(options)
    asyncio.run(cluster.run())
