"""The worker service: enclave-held keys, attestation for registration, two HTTP JSON APIs.

The **public** API (``--host``/``--port``), which anyone may reach:

* ``GET /info``: identity and ECDH public keys, version, measurement, synced height, the
  mining state machine and the contract cluster served;
* ``POST /query``: encrypted, signed contract queries (:mod:`khala.worker.query_api`);
* ``POST /cluster/state``, ``GET /cluster/root``: cluster state for workers added to a
  cluster later (:mod:`khala.worker.cluster_api`).

The **control** API (``--control-host``/``--control-port``, loopback by default, token-protected
when exposed; see :mod:`khala.worker.control_api`) for the worker's own relayer:

* ``GET /registration``: a registration for the configured ``--operator``, submitted as-is:
  the SCALE ``WorkerRegistrationInfo`` and ``AttestationReport``, the quote's REPORTDATA
  committing to that info (see the registry module), plus readable fields.
* ``GET /endpoint``: the identity's signature over the configured ``--public-url``, for
  ``update_worker_endpoint``.
* ``POST /sync``: a batch of blocks for the light client; ``GET /egress``: signed messages
  waiting for the chain (see ``docs/sync.md``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import structlog
from aiohttp import web

from khala import __version__
from khala.attestation.types import SgxMeasurement
from khala.enclave.backend import EnclaveBackend
from khala.primitives.crypto import SignedContentType, sign_content
from khala.primitives.scale import codec_of
from khala.primitives.types import Header
from khala.runtime.modules.mq.types import GatekeeperOrigin, MessageOrigin, SignedMessage
from khala.runtime.modules.registry.calls import endpoint_payload
from khala.runtime.modules.registry.registration import report_data_for
from khala.runtime.modules.registry.types import (
    SgxDcapReport,
    WorkerRegistrationInfo,
)
from khala.sdk import AsyncClient, SdkError
from khala.sdk.worker_api import EgressQueue, Registration, SignedEndpoint
from khala.service.guards import BasePathLock, ensure_port_free
from khala.worker.benchmark import BenchmarkLoop
from khala.worker.cluster_api import ClusterApi
from khala.worker.config import WorkerConfig, open_backend
from khala.worker.control_api import (
    ControlErrorCode,
    is_loopback,
    load_or_create_token,
    refusal,
    token_middleware,
)
from khala.worker.identity import WorkerKeys, load_or_create_keys
from khala.worker.operator import bind_operator
from khala.worker.query_api import QueryApi
from khala.worker.runtime import WorkerRuntime
from khala.worker.snapshot_source import DOWNLOADED, snapshot_file
from khala.worker.sync_request import (
    MAX_SYNC_REQUEST_BYTES,
    SyncRequestError,
    SyncRequestErrorCode,
    parse_sync_request,
)

log = structlog.get_logger("khala.worker")

RUNTIME_VERSION = 1
"""The worker runtime's version number, stated in registrations."""
BEHIND_AFTER_S = 60.0
"""A worker whose newest verified block is older than this reports itself behind: a relayer
withholding blocks is visible even though the worker cannot see the chain itself."""
_ORIGIN = codec_of(MessageOrigin)
_SIGNED = codec_of(SignedMessage)
_HEADER = codec_of(Header)


def _refusal(code: SyncRequestErrorCode, message: str, status: int) -> web.Response:
    """A typed JSON refusal: ``{"error": {"code", "message"}}``."""
    return web.json_response({"error": {"code": code.value, "message": message}}, status=status)


async def _serve(runner: web.AppRunner) -> None:
    """Keep one API served until cancelled, then close it (a child of the service's group)."""
    try:
        await asyncio.Future()
    finally:
        await runner.cleanup()


class WorkerService:
    """Runs the worker's API until cancelled."""

    def __init__(self, config: WorkerConfig, clock: Callable[[], float] = time.time) -> None:
        """Prepare; keys are unsealed in :meth:`run`. ``clock`` gives Unix seconds."""
        self.config = config
        self.clock = clock
        self.ready = asyncio.Event()
        self.keys: WorkerKeys | None = None
        self.backend: EnclaveBackend | None = None
        self.genesis_hash: bytes | None = None
        self.runtime: WorkerRuntime | None = None
        self.bench: BenchmarkLoop | None = None
        self.operator: bytes | None = None

    async def run(self) -> None:
        """Unseal keys, learn the chain's genesis, serve the API.

        Raises:
            GuardError: When another process holds the base path or the port is taken
                (checked before any key is created).
        """
        lock = BasePathLock(self.config.base_path)
        try:
            ensure_port_free(self.config.host, self.config.port, "--port")
            ensure_port_free(*self.config.control, "--control-port")
            await self._run_locked()
        finally:
            lock.release()

    async def _run_locked(self) -> None:
        self.backend = open_backend(self.config, self.clock)
        self.keys, created = load_or_create_keys(self.backend, self.config.base_path)
        self.operator = bind_operator(
            self.backend, self.config.base_path, self.keys.identity.public_key, self.config.operator
        )
        async with AsyncClient(self.config.node_url) as client:
            self.genesis_hash = await client.wait_until_reachable(self._waiting_for_node)
        self.bench = BenchmarkLoop(self.config.benchmark_duty)
        if not self.config.gatekeeper:
            self.bench.start()  # a gatekeeper never mines: no benchmark burning a core
        from_snapshot = await snapshot_file(
            self.config.from_snapshot,
            node_url=self.config.node_url,
            base_path=self.config.base_path,
            gatekeeper=self.config.gatekeeper,
            progress=lambda line: log.info("snapshot", progress=line),
        )
        try:
            self.runtime = WorkerRuntime(
                self.keys,
                self.backend,
                self.genesis_hash,
                self.config.base_path,
                self.config.checkpoint_interval,
                iterations=self.bench.iterations,
                counted_ms=self.bench.counted_ms,
                clock=self.clock,
                from_snapshot=from_snapshot,
                gatekeeper=self.config.gatekeeper,
            )
        finally:  # loaded, or refused: a download is not kept either way
            if from_snapshot is not None and from_snapshot.name == DOWNLOADED:
                from_snapshot.unlink(missing_ok=True)
        public = web.Application()
        public.router.add_get("/info", self._info)
        query = QueryApi(lambda: self.runtime, self.keys, self.clock, self.backend.random)
        public.router.add_post("/query", query.handle)
        cluster = ClusterApi(lambda: self.runtime, self.keys, self.clock, self.backend.random)
        public.router.add_post("/cluster/state", cluster.state)
        public.router.add_get("/cluster/root", cluster.root)
        control_host, control_port = self.config.control
        middlewares = []
        if not is_loopback(control_host):
            middlewares.append(token_middleware(load_or_create_token(self.config.base_path)))
        control = web.Application(client_max_size=MAX_SYNC_REQUEST_BYTES, middlewares=middlewares)
        control.router.add_get("/info", self._info)
        control.router.add_get("/registration", self._registration)
        control.router.add_get("/endpoint", self._endpoint)
        control.router.add_post("/sync", self._sync)
        control.router.add_get("/egress", self._egress)
        public_runner = web.AppRunner(public, access_log=None)
        control_runner = web.AppRunner(control, access_log=None)
        await public_runner.setup()
        await control_runner.setup()
        await web.TCPSite(public_runner, self.config.host, self.config.port).start()
        await web.TCPSite(control_runner, control_host, control_port).start()
        log.info(
            "worker started",
            pubkey="0x" + self.keys.identity.public_key.hex(),
            new_identity=created,
            api=f"{self.config.host}:{self.config.port}",
            control=f"{control_host}:{control_port}",
            operator=None if self.operator is None else "0x" + self.operator.hex(),
            enclave=self.config.enclave.value,
            synced_height=self.runtime.height,
        )
        self.ready.set()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(_serve(public_runner))
                group.create_task(_serve(control_runner))
                group.create_task(cluster.transfer_loop())
        finally:
            self.bench.stop()
            if self.runtime.height > 0:
                self.runtime.save_checkpoint()

    def _waiting_for_node(self, delay: float, error: SdkError) -> None:
        log.warning(
            "waiting for the node", node=self.config.node_url, retry_in_s=delay, error=error.message
        )

    def _keys(self) -> tuple[WorkerKeys, EnclaveBackend, bytes]:
        if self.keys is None or self.backend is None or self.genesis_hash is None:
            raise web.HTTPServiceUnavailable(reason="the worker is starting")
        return self.keys, self.backend, self.genesis_hash

    async def _info(self, request: web.Request) -> web.Response:
        keys, backend, genesis = self._keys()
        measurement = backend.measurement()
        shown: dict[str, Any] = {}
        if isinstance(measurement, SgxMeasurement):
            shown = {
                "mr_enclave": "0x" + measurement.mr_enclave.hex(),
                "mr_signer": "0x" + measurement.mr_signer.hex(),
            }
        return web.json_response(
            {
                "pubkey": "0x" + keys.identity.public_key.hex(),
                "ecdh_pubkey": "0x" + keys.ecdh_public.hex(),
                "version": __version__,
                "runtime_version": RUNTIME_VERSION,
                "measurement": shown,
                "genesis_hash": "0x" + genesis.hex(),
                **self._sync_status(),
            }
        )

    def _sync_status(self) -> dict[str, Any]:
        runtime = self.runtime
        if runtime is None:
            return {
                "synced_height": -1,
                "state_root": None,
                "behind_seconds": None,
                "is_behind": True,
            }
        head = runtime.client.head
        stamp = runtime.head_timestamp_ms()
        behind = max(self.clock() - stamp / 1000, 0.0) if stamp else None
        return {
            "synced_height": runtime.height,
            "state_root": None if head is None else "0x" + head.state_root.hex(),
            "head_hash": None if head is None else "0x" + head.hash().hex(),
            "behind_seconds": None if behind is None else round(behind, 1),
            "is_behind": behind is None or behind > BEHIND_AFTER_S,
            "pending_egress": len(runtime.queue.pending),
            "mining": {
                "phase": runtime.mining.machine.phase.name.lower(),
                "session_id": runtime.mining.machine.session_id,
                "heartbeats_sent": runtime.mining.machine.heartbeats,
                "benchmark_iterations": runtime.mining.iterations(),
                "benchmark_running": self.bench is not None and not self.bench.paused,
            },
            "gatekeeper": None if runtime.gatekeeper is None else runtime.gatekeeper.status(),
            "contracts": None if runtime.contracts is None else runtime.contracts.status(),
            "messages": runtime.router.stats.as_json(),
        }

    async def _sync(self, request: web.Request) -> web.Response:
        if self.runtime is None:
            raise web.HTTPServiceUnavailable(reason="the worker is starting")
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _refusal(SyncRequestErrorCode.MALFORMED, "the body is not JSON", 400)
        try:
            blocks = parse_sync_request(body)
        except SyncRequestError as error:
            status = 413 if error.code is SyncRequestErrorCode.TOO_LARGE else 400
            return _refusal(SyncRequestErrorCode(error.code), error.message, status)
        report = self.runtime.sync(blocks)
        if self.bench is not None:
            self.bench.paused = self.config.gatekeeper or not self.runtime.mining.live
        refusal = None if report.error is None else report.error.to_json()
        return web.json_response(
            {"imported": report.imported, **self._sync_status(), "error": refusal}
        )

    async def _egress(self, request: web.Request) -> web.Response:
        if self.runtime is None:
            raise web.HTTPServiceUnavailable(reason="the worker is starting")
        queues: list[tuple[MessageOrigin, list[SignedMessage]]] = [
            (self.runtime.queue.origin, self.runtime.queue.messages())
        ]
        if self.runtime.gatekeeper is not None:
            queues.append((GatekeeperOrigin(), self.runtime.gatekeeper.egress()))
        if self.runtime.contracts is not None:
            queues.extend(self.runtime.contracts.egress())
        answer = [
            EgressQueue(
                _ORIGIN.encode(origin),
                [(signed.sequence, _SIGNED.encode(signed)) for signed in messages],
            ).to_json()
            for origin, messages in queues
        ]
        return web.json_response({"queues": answer})

    async def _registration(self, request: web.Request) -> web.Response:
        keys, backend, genesis = self._keys()
        operator = self.operator
        if operator is None:
            return refusal(
                ControlErrorCode.NO_OPERATOR, "start the worker with --operator ACCOUNT", 409
            )
        asked = request.query.get("operator")
        if asked is not None and asked.removeprefix("0x").lower() != operator.hex():
            return refusal(
                ControlErrorCode.OPERATOR_MISMATCH,
                f"this worker's operator is 0x{operator.hex()}; it registers for no other",
                403,
            )
        info = WorkerRegistrationInfo(
            RUNTIME_VERSION,
            self.config.machine_id.encode(),
            keys.identity.public_key,
            keys.ecdh_public,
            genesis,
            [],
            operator,
        )
        report_data = report_data_for(info, int(self.clock()), backend.random(24))
        quote = backend.quote(report_data)
        if quote.collateral_json is None:
            raise web.HTTPServiceUnavailable(
                reason="collateral must be fetched from a PCCS (not configured)"
            )
        attestation = SgxDcapReport(quote.quote, quote.collateral_json.encode())
        return web.json_response(
            Registration(info, attestation, report_data, quote.provider).to_json()
        )

    async def _endpoint(self, request: web.Request) -> web.Response:
        keys, _, _ = self._keys()
        url = self.config.endpoint
        asked = request.query.get("url")
        if asked is not None and asked != url:
            return refusal(
                ControlErrorCode.ENDPOINT_MISMATCH,
                f"this worker publishes only its --public-url {url}",
                403,
            )
        signing_time = int(self.clock())
        payload = endpoint_payload(keys.identity.public_key, url, signing_time)
        signature = sign_content(keys.identity, SignedContentType.ENDPOINT_INFO, payload)
        signed = SignedEndpoint(keys.identity.public_key, url, signing_time, signature)
        return web.json_response(signed.to_json())
