"""The node service: configuration, start-up, the engine and RPC tasks, clean shutdown."""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import structlog
from aiohttp import web

from khala.attestation.dev_pki import load_or_create
from khala.errors import KhalaError
from khala.node.chain import Chain
from khala.node.clock import Clock, SystemClock
from khala.node.engine import DevEngine
from khala.node.etcd.engine import EtcdEngine
from khala.node.etcd.gateway import GatewayEtcd
from khala.node.etcd.settings import ClusterSettings
from khala.node.lmdb_store import DEFAULT_MAX_SIZE, LmdbChainStore
from khala.node.node import Node
from khala.node.rpc.policy import LOCALHOST_ORIGINS, RpcPolicy
from khala.node.rpc.server import DEFAULT_MAX_REQUEST_BYTES, RpcServer
from khala.node.signature_offload import SignatureOffload, default_processes
from khala.node.snapshot_serve import SnapshotService
from khala.node.storage import DEFAULT_STATE_PRUNING, ChainStore, MemoryChainStore
from khala.node.txpool import DEFAULT_LIMIT, TransactionPool
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.runtime.genesis import GenesisConfig, dev_genesis, parse_genesis_config
from khala.service.guards import BasePathLock, ensure_port_free

log = structlog.get_logger("khala.node")


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """Everything ``khala node`` is configured with."""

    base_path: Path | None
    """Where the database lives; None keeps everything in memory."""
    rpc_host: str = "127.0.0.1"
    """Interface the RPC server listens on (loopback by default)."""
    rpc_port: int = 9944
    """RPC port for HTTP and WebSocket (Substrate's default)."""
    block_time_s: float | None = None
    """Seconds between blocks; None uses the preset's block time."""
    instant_seal: bool = False
    """Author a block as soon as a transaction arrives instead of on a timer."""
    authority_uri: str = "//Alice"
    """Secret URI of this node's ed25519 authority key."""
    genesis_file: Path | None = None
    """A genesis config JSON file; None uses the built-in dev genesis."""
    dev_pki: Path | None = None
    """The dev PKI directory (created on first use) whose root the dev genesis trusts, so
    simulated workers sharing it can register; None: the dev genesis trusts no root."""
    pool_limit: int = DEFAULT_LIMIT
    """Transaction pool capacity."""
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    """Largest RPC request."""
    fresh: bool = False
    """Delete the chain database under the base path first and start a new chain."""
    rpc_cors: tuple[str, ...] | None = LOCALHOST_ORIGINS
    """Browser origins allowed to use the RPC (``--rpc-cors``); None allows every origin."""
    state_pruning: int | None = DEFAULT_STATE_PRUNING
    """Blocks whose state is kept (``--state-pruning``); None keeps every state (archive)."""
    db_max_size: int = DEFAULT_MAX_SIZE
    """Largest the LMDB map may grow (``--db-max-size``)."""
    engine: str = "dev"
    """``dev`` (one authority seals and finalizes) or ``etcd`` (DESIGN §13: etcd orders blocks,
    the authorities co-sign them)."""
    etcd_endpoints: tuple[str, ...] = ()
    """Client URLs of the etcd members (``--etcd-endpoints``), for the ``etcd`` engine."""
    dev_authorities: int = 1
    """Authorities of the built-in dev genesis (//Alice, //Bob, ...): 3 for a local cluster."""
    advertise_url: str | None = None
    """The RPC URL other nodes forward transactions to; None: ``http://rpc_host:port``."""
    etcd_connect_timeout_s: float = 30.0
    """How long a starting etcd-engine node waits for any member before ``etcd.unavailable``."""
    serve_snapshots: bool = True
    """Answer ``GET /snapshot`` with the finalized state for joining nodes (exported on
    demand, at most every 256 finalized blocks)."""
    signature_processes: int | None = None
    """Child processes verifying submitted transactions' signatures off the event loop
    (``--signature-processes``); 0 verifies on it; None: one when the machine has a second
    core (:func:`khala.node.signature_offload.default_processes`)."""


GC_THRESHOLDS = (100_000, 50, 1_000)
"""Collector thresholds for the node process. Blocks allocate hundreds of thousands of short-lived
objects that reference counting frees (tries are trees, not cycles); with CPython's defaults
(700, 10, 10) the collector's full passes over the whole loaded state stalled RPC reads for
~100 ms per 400-transfer block (``khala bench rpc``). Fewer, later passes keep cycles bounded."""


SWITCH_INTERVAL_S = 0.001
"""How long the sealing thread may hold the interpreter before the event loop gets it back
(CPython's default is 5 ms). With the default, a read arriving while a 400-transfer block is
sealed waited up to 5 ms at each step (receive, answer, send): p99.9 38.5 ms in
``khala bench rpc``; with 1 ms it is 12.6 ms, and transfers/s is unchanged within noise."""


def tune_interpreter() -> None:
    """Keep the event loop responsive in the node process.

    What start-up loaded (genesis, head trie, runtime tables) is frozen out of the collector's
    passes, its thresholds become :data:`GC_THRESHOLDS`, and threads switch every
    :data:`SWITCH_INTERVAL_S`.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def load_genesis(
    path: Path | None, dev_pki: Path | None = None, dev_authorities: int = 1
) -> GenesisConfig:
    """Read a genesis config file, or build the dev genesis.

    The dev genesis trusts ``dev_pki``'s root and has ``dev_authorities`` authorities.

    Raises:
        GenesisError: For a malformed config.
        OSError: When the file cannot be read.
    """
    if path is None:
        root = None if dev_pki is None else load_or_create(dev_pki).root_der
        return dev_genesis(root, dev_authorities)
    return parse_genesis_config(json.loads(path.read_text()))


def open_store(
    base_path: Path | None,
    state_pruning: int | None = DEFAULT_STATE_PRUNING,
    max_size: int = DEFAULT_MAX_SIZE,
) -> ChainStore:
    """Open the chain database (LMDB under ``base_path/chain``) or an in-memory one."""
    if base_path is None:
        return MemoryChainStore(state_pruning)
    return LmdbChainStore(base_path / "chain", state_pruning=state_pruning, max_size=max_size)


def advertised_url(config: NodeConfig, port: int) -> str:
    """The RPC URL followers forward transactions to."""
    if config.advertise_url:
        return config.advertise_url
    host = "127.0.0.1" if config.rpc_host in ("0.0.0.0", "") else config.rpc_host  # noqa: S104
    return f"http://{host}:{port}"


class NodeService:
    """Runs a node until cancelled."""

    def __init__(self, config: NodeConfig, clock: Clock | None = None) -> None:
        """Prepare the service; nothing is opened until :meth:`run`."""
        self.config = config
        self.clock: Clock = clock or SystemClock()
        self.node: Node | None = None
        self.ready = asyncio.Event()
        self.port: int | None = None

    async def run(self) -> None:
        """Open the chain, serve RPC and author blocks until cancelled.

        Raises:
            KhalaError: For configuration problems (genesis, base path).
        """
        config = self.config
        lock = None if config.base_path is None else BasePathLock(config.base_path)
        ensure_port_free(config.rpc_host, config.rpc_port, "--rpc-port")
        if config.fresh and config.base_path is not None and (config.base_path / "chain").exists():
            shutil.rmtree(config.base_path / "chain")
            log.warning(
                "deleted the chain database (--fresh)", path=str(config.base_path / "chain")
            )
        try:
            await self._run_locked(config)
        finally:
            if lock is not None:
                lock.release()

    def _engine(self, node: Node, block_time: float) -> DevEngine | EtcdEngine:
        """The block engine the config names."""
        config = self.config
        if config.engine == "etcd":
            return EtcdEngine(
                node,
                GatewayEtcd(list(config.etcd_endpoints)),
                rpc_url=advertised_url(config, self.port or config.rpc_port),
                settings=ClusterSettings(
                    block_time_s=block_time, connect_timeout_s=config.etcd_connect_timeout_s
                ),
            )
        return DevEngine(node, block_time_s=block_time, instant_seal=config.instant_seal)

    def _snapshots(self, chain: Chain, genesis: GenesisConfig, node: Node) -> SnapshotService:
        """Snapshot serving, with its files under the base path (or a temporary directory)."""
        base = self.config.base_path
        directory = base / "snapshots" if base is not None else Path(tempfile.mkdtemp())
        return SnapshotService(chain, genesis, directory, lambda: node.finalized_header().number)

    async def _run_locked(self, config: NodeConfig) -> None:
        store = open_store(config.base_path, config.state_pruning, config.db_max_size)
        try:
            genesis = load_genesis(config.genesis_file, config.dev_pki, config.dev_authorities)
            chain = Chain(store, genesis)
            authority = keypair_from_uri(config.authority_uri, KeyScheme.ED25519)
            node = Node(chain, TransactionPool(config.pool_limit), authority, self.clock)
            processes = config.signature_processes
            processes = default_processes() if processes is None else processes
            if processes > 0:
                node.signature_offload = SignatureOffload(processes)
            self.node = node
            policy = RpcPolicy(max_request_bytes=config.max_request_bytes, cors=config.rpc_cors)
            server = RpcServer(node, policy=policy)
            app = server.application()
            snapshots = self._snapshots(chain, genesis, node) if config.serve_snapshots else None
            if snapshots is not None:
                snapshots.install(app)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, config.rpc_host, config.rpc_port)
            await site.start()
            self.port = runner.addresses[0][1] if runner.addresses else config.rpc_port
            tune_interpreter()
            block_time = config.block_time_s or chain.preset.block_time_ms / 1000
            engine = self._engine(node, block_time)
            log.info(
                "node started",
                genesis="0x" + chain.genesis_hash.hex(),
                head=chain.head.number,
                preset=chain.preset.name.value,
                rpc=f"{config.rpc_host}:{self.port}",
                seal="instant" if config.instant_seal else f"every {block_time}s",
                engine=config.engine,
            )
            self.ready.set()
            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(engine.run())
            finally:
                await server.close()
                await runner.cleanup()
                if snapshots is not None:
                    snapshots.close()
                    if config.base_path is None:  # a memory node's temporary directory
                        shutil.rmtree(snapshots.directory, ignore_errors=True)
                if isinstance(engine, EtcdEngine):
                    await engine.etcd.close()
                if node.signature_offload is not None:
                    await node.signature_offload.close()
        except KhalaError:
            raise
        finally:
            store.close()
            log.info("node stopped")
