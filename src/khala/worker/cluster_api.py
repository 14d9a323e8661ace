"""Cluster state transfer over the workers' public APIs, and the newcomer's loop that uses it.

* ``POST /cluster/state`` ``{"request": "0x…"}`` (a SCALE ``SignedStateRequest``): a member
  answers ``{"transfer": "0x…"}`` (a ``StateTransfer`` sealed to the requester's registered
  ECDH key) or a typed refusal (``transfer.*``, HTTP 400).
* ``GET /cluster/root?height=N``: a member's signed state root after block N
  (``{"statement": "0x…"}``), or ``transfer.not_ready`` (HTTP 404) when it has none.

A worker added to a cluster after its creation runs :meth:`ClusterApi.transfer_loop`: every
few seconds, while it holds the cluster key but no state, it asks a member (endpoints and
membership from its own verified chain state), gathers every other member's statement for the
offered height and installs the state once all agree (:mod:`khala.worker.state_transfer`).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import aiohttp
import structlog
from aiohttp import web

from khala.primitives.crypto.envelope import EPHEMERAL_ENTROPY_LENGTH
from khala.primitives.scale import ScaleError, codec_of
from khala.runtime.modules.phat.state import CLUSTERS
from khala.runtime.modules.registry.state import ENDPOINTS
from khala.worker.identity import WorkerKeys
from khala.worker.state_transfer import (
    SignedStatement,
    SignedStateRequest,
    StateTransfer,
    TransferError,
    TransferErrorCode,
    sign_request,
)

if TYPE_CHECKING:
    from khala.worker.runtime import WorkerRuntime

log = structlog.get_logger("khala.worker.transfer")

RETRY_S = 3.0
"""Seconds between a newcomer's transfer attempts."""
REQUEST_TIMEOUT_S = 30.0
"""How long a peer may take to answer (a state can be megabytes)."""
_REQUEST = codec_of(SignedStateRequest)
_TRANSFER = codec_of(StateTransfer)
_STATEMENT = codec_of(SignedStatement)


class ClusterApi:
    """Serves and fetches cluster state transfers."""

    def __init__(
        self,
        runtime: Callable[[], WorkerRuntime | None],
        keys: WorkerKeys,
        clock: Callable[[], float] = time.time,
        entropy: Callable[[int], bytes] | None = None,
    ) -> None:
        """Serve for the runtime ``runtime()`` returns, signing with ``keys``."""
        self.runtime = runtime
        self.keys = keys
        self.clock = clock
        self.entropy = entropy or os.urandom

    def _host_and_chain(self) -> tuple[Any, Any]:
        runtime = self.runtime()
        if runtime is None or runtime.contracts is None or runtime.client.head is None:
            raise TransferError(TransferErrorCode.NOT_READY, "this worker serves no cluster")
        return runtime.contracts, runtime.client.state()

    async def state(self, request: web.Request) -> web.Response:
        """``POST /cluster/state``."""
        try:
            document = await request.json()
            signed = _REQUEST.decode(bytes.fromhex(str(document["request"]).removeprefix("0x")))
            host, chain = self._host_and_chain()
            transfer = host.offer(
                signed, chain, int(self.clock() * 1000), self.entropy(EPHEMERAL_ENTROPY_LENGTH)
            )
        except TransferError as error:
            return _refused(error.code, error.message, 400)
        except (ValueError, KeyError, TypeError, ScaleError):
            return _refused(TransferErrorCode.UNREADABLE, 'send {"request": "0x…"}', 400)
        return web.json_response({"transfer": "0x" + _TRANSFER.encode(transfer).hex()})

    async def root(self, request: web.Request) -> web.Response:
        """``GET /cluster/root?height=N``."""
        try:
            height = int(request.query["height"])
            host, _ = self._host_and_chain()
        except (KeyError, ValueError):
            return _refused(TransferErrorCode.UNREADABLE, "give ?height=N", 400)
        except TransferError as error:
            return _refused(error.code, error.message, 404)
        statement = host.statement_at(height)
        if statement is None:
            return _refused(TransferErrorCode.NOT_READY, f"no state root for block {height}", 404)
        return web.json_response({"statement": "0x" + _STATEMENT.encode(statement).hex()})

    async def transfer_loop(self) -> None:
        """Fetch the cluster's state whenever this worker waits for one (runs until cancelled)."""
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
        ) as session:
            while True:
                await asyncio.sleep(RETRY_S)
                try:
                    await self._try_transfer(session)
                except (TransferError, aiohttp.ClientError, TimeoutError, ValueError) as error:
                    log.warning("cluster state transfer failed; retrying", error=str(error))

    async def _try_transfer(self, session: aiohttp.ClientSession) -> None:
        runtime = self.runtime()
        host = None if runtime is None else runtime.contracts
        if runtime is None or host is None or not host.joined_late or host.key is None:
            return
        chain = runtime.client.state()
        cluster = host.cluster
        if cluster is None:
            return
        info = CLUSTERS.get(chain, cluster)
        if info is None:
            return
        members = host.members(chain)
        me = self.keys.identity.public_key
        urls = {m: e.endpoint for m in members - {me} if (e := ENDPOINTS.get(chain, m))}
        request = sign_request(self.keys.identity, cluster, int(self.clock() * 1000))
        for member, url in urls.items():
            body = {"request": "0x" + _REQUEST.encode(request).hex()}
            async with session.post(url.rstrip("/") + "/cluster/state", json=body) as answer:
                document = await answer.json(content_type=None)
            if "transfer" not in document:
                continue
            transfer = _TRANSFER.decode(bytes.fromhex(document["transfer"][2:]))
            height = transfer.statement.statement.height
            statements = []
            for other, other_url in urls.items():
                if other == member:
                    continue
                query = f"{other_url.rstrip('/')}/cluster/root?height={height}"
                async with session.get(query) as answer:
                    found = await answer.json(content_type=None)
                if "statement" in found:
                    statements.append(_STATEMENT.decode(bytes.fromhex(found["statement"][2:])))
            host.install(transfer, statements, members, info)
            return


def _refused(code: StrEnum, message: str, status: int) -> web.Response:
    return web.json_response({"error": {"code": code.value, "message": message}}, status=status)
