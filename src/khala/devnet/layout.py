"""Where a devnet keeps its data and how it is addressed: paths, ports, genesis, state.

Everything lives under one directory (``.khala/devnet`` by default). The first start writes
``devnet.json`` (ports, worker count, block time) and ``genesis.json`` (derived from the dev
PKI created there); later starts read them, so the same genesis and keys come back and the
chain resumes. ``--fresh`` deletes the directory first.
"""

from __future__ import annotations

import json
import shutil
import socket
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from khala.attestation.dev_pki import load_or_create
from khala.attestation.simulated_quote import simulated_measurement
from khala.errors import KhalaError
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.scale import encode
from khala.runtime.genesis import DEV_ACCOUNTS, DEV_COUNCIL
from khala.service.files import write_atomic

DEFAULT_DIRECTORY = Path(".khala/devnet")
"""Where ``khala devnet`` keeps its data unless told otherwise."""
DEFAULT_RPC_PORT = 9944
"""The node's JSON-RPC port when free (what polkadot.js and the SDK expect)."""
DEFAULT_CONSOLE_PORT = 8080
"""The web console's port when free."""
GATEKEEPERS = ("gk1", "gk2")
"""The two gatekeepers' names (and directories)."""
CROWDLOAN_ACCOUNT = "//Crowdloan"
"""A crowdloan contributor: 15 % free at genesis, the rest vesting."""
CROWDLOAN_AMOUNT = "50000PHA"
"""What the contributor received."""
SUBSIDY = "10000000PHA"
"""The mining subsidy pot."""
ENDOWMENT = "1000000PHA"
"""Each dev account's balance."""


def free_port(preferred: int = 0) -> int:
    """``preferred`` when it is free on loopback, else any free port.

    A port a stopped devnet left in TIME_WAIT counts as free: the services bind with
    ``SO_REUSEADDR`` too, so a resumed devnet keeps its addresses.
    """
    for candidate in (preferred, 0) if preferred else (0,):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port: int = probe.getsockname()[1]
            return port
    raise OSError("no free port on 127.0.0.1")


@dataclass
class DevnetState:
    """What a devnet remembers between starts (``devnet.json``)."""

    workers: int
    """Mining workers (besides the two gatekeepers)."""
    block_time_s: float
    """Seconds between blocks."""
    rpc_port: int
    """The node's JSON-RPC (and WebSocket) port."""
    console_port: int
    """The web console's port."""
    worker_ports: dict[str, list[int]] = field(default_factory=dict)
    """Worker name -> [public API port, control API port]."""
    seeded: list[str] = field(default_factory=list)
    """Seeding steps already done (each is also checked on chain before it is repeated)."""
    nodes: int = 1
    """Chain nodes: 1 runs the dev engine; more run the etcd engine, one authority each."""
    node_ports: list[int] = field(default_factory=list)
    """RPC ports of the nodes after the first (whose port is :attr:`rpc_port`)."""
    etcd_ports: list[list[int]] = field(default_factory=list)
    """Each etcd member's [client, peer] ports (with more than one node)."""

    @property
    def node_urls(self) -> list[str]:
        """Every node's RPC URL, the first node's first."""
        return [f"http://127.0.0.1:{port}" for port in (self.rpc_port, *self.node_ports)]

    @property
    def names(self) -> list[str]:
        """Every worker's name: the gatekeepers, then ``w1`` .. ``wN``."""
        return [*GATEKEEPERS, *(f"w{i}" for i in range(1, self.workers + 1))]


class Layout:
    """The paths of one devnet directory."""

    def __init__(self, root: Path) -> None:
        """Address the devnet in ``root``."""
        self.root = root

    @property
    def state_file(self) -> Path:
        """``devnet.json``."""
        return self.root / "devnet.json"

    @property
    def genesis_file(self) -> Path:
        """``genesis.json``."""
        return self.root / "genesis.json"

    @property
    def pki(self) -> Path:
        """The dev PKI every worker's simulated enclave shares."""
        return self.root / "pki"

    @property
    def logs(self) -> Path:
        """One log file per process."""
        return self.root / "logs"

    def base_path(self, name: str) -> Path:
        """A process's data directory (``node``, ``gk1``, ``w1``...)."""
        return self.root / name

    def wipe(self) -> None:
        """Delete everything (``--fresh``)."""
        if self.root.exists():
            shutil.rmtree(self.root)

    def load(self) -> DevnetState | None:
        """The remembered state, or None on a first start."""
        if not self.state_file.exists():
            return None
        document: dict[str, Any] = json.loads(self.state_file.read_text())
        return DevnetState(**document)

    def save(self, state: DevnetState) -> None:
        """Remember ``state`` (atomically)."""
        write_atomic(self.state_file, json.dumps(asdict(state), indent=2).encode(), mode=0o644)

    def prepare(self, workers: int, block_time_s: float, nodes: int = 1) -> DevnetState:
        """Load the devnet, or create it: ports, the dev PKI and the genesis file.

        A resumed devnet keeps its genesis (and so its chain and its number of nodes); its
        worker count and block time follow the command line, and a remembered port that is
        now taken is replaced (etcd members keep theirs: they are part of etcd's own state).

        Raises:
            DevnetError: ``devnet.nodes_changed`` when ``nodes`` differs from the genesis's.
        """
        state = self.load()
        if state is None:
            state = DevnetState(
                workers, block_time_s, free_port(DEFAULT_RPC_PORT), free_port(DEFAULT_CONSOLE_PORT)
            )
            state.nodes = nodes
            taken = {state.rpc_port, state.console_port}
            if nodes > 1:
                state.node_ports = [distinct_port(0, taken) for _ in range(nodes - 1)]
                state.etcd_ports = [
                    [distinct_port(0, taken), distinct_port(0, taken)] for _ in range(nodes)
                ]
        elif state.nodes != nodes:
            raise DevnetError(
                DevnetErrorCode.NODES_CHANGED,
                f"this devnet was created with {state.nodes} node(s), its genesis names that "
                f"many authorities; run it with --nodes {state.nodes}, or --fresh",
            )
        state.workers, state.block_time_s = workers, block_time_s
        state.rpc_port = free_port(state.rpc_port)
        state.console_port = free_port(state.console_port)
        state.node_ports = [free_port(port) for port in state.node_ports]
        for name in state.names:
            ports = state.worker_ports.get(name, [0, 0])
            state.worker_ports[name] = [free_port(ports[0]), free_port(ports[1])]
        root_der = load_or_create(self.pki).root_der
        if not self.genesis_file.exists():
            document = genesis_document(root_der, authorities=state.nodes)
            write_atomic(self.genesis_file, json.dumps(document, indent=2).encode(), mode=0o644)
        self.save(state)
        return state


def distinct_port(preferred: int, taken: set[int]) -> int:
    """A free port (``preferred`` when free) not in ``taken``, which it joins.

    Ports handed out together must differ even though none is bound yet.
    """
    port = free_port(preferred)
    while port in taken:
        port = free_port(0)
    taken.add(port)
    return port


class DevnetErrorCode(StrEnum):
    """Codes of :class:`DevnetError`."""

    NODES_CHANGED = "devnet.nodes_changed"
    """``--nodes`` differs from what the devnet's genesis was made for; pass the same number or
    start over with ``--fresh``."""


class DevnetError(KhalaError):
    """The devnet cannot start as asked."""


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def genesis_document(root_der: bytes, authorities: int = 1) -> dict[str, Any]:
    """The devnet's genesis document.

    Dev accounts, sudo and council, the subsidy pot, a crowdloan contributor, the dev PKI's
    root trusted and the simulated pRuntime allowed; the first ``authorities`` dev accounts
    (//Alice, //Bob, ...) are the authority set.
    """
    alice = keypair_from_uri("//Alice").public_key
    return {
        "preset": "dev",
        "endowed": [
            [_hex(keypair_from_uri(f"//{name}").public_key), ENDOWMENT] for name in DEV_ACCOUNTS
        ],
        "mining_subsidy": SUBSIDY,
        "crowdloan": [[_hex(keypair_from_uri(CROWDLOAN_ACCOUNT).public_key), CROWDLOAN_AMOUNT]],
        "authorities": [
            {
                "finality_key": _hex(keypair_from_uri(f"//{name}", KeyScheme.ED25519).public_key),
                "account": _hex(keypair_from_uri(f"//{name}").public_key),
            }
            for name in DEV_ACCOUNTS[:authorities]
        ],
        "sudo": _hex(alice),
        "council": [_hex(keypair_from_uri(f"//{name}").public_key) for name in DEV_COUNCIL],
        "trusted_roots": [_hex(root_der)],
        "measurements": [_hex(encode(simulated_measurement()))],
    }
