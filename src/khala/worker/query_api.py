"""``POST /query`` on the worker's public API: encrypted, signed contract queries.

Request: ``{"envelope": "0x…"}``, a :class:`~khala.offchain.query.SignedQuery` sealed to this
worker's ECDH key (``khala.offchain.query``). A query that does not open or whose signature
chain does not verify is refused in plain JSON (``{"error": {"code", "message"}}``, HTTP 400):
the worker cannot answer privately to a key it cannot trust. Otherwise the answer is
``{"answer": "0x…"}``, sealed to the query's reply key and signed by the worker's identity,
carrying either the contract's output or a typed failure (``contracts.deadline``,
``contracts.trapped``, ``query.no_cluster``, ``query.busy``...).

Queries run read-only on a snapshot of the cluster state in a thread, at most ``slots`` at a
time, ordered by :class:`~khala.worker.scheduler.FairScheduler` with the contract's stake as
weight and ``(contract, caller)`` as flow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from aiohttp import web

from khala.contracts.errors import ContractError
from khala.contracts.execution import ExecOutcome
from khala.offchain.query import (
    Answer,
    QueryError,
    QueryErrorCode,
    QueryFailure,
    QueryOutput,
    open_query,
    seal_answer,
    verify_query,
)
from khala.primitives.crypto.envelope import EPHEMERAL_ENTROPY_LENGTH
from khala.primitives.scale.containers import Err, Ok
from khala.primitives.units import UNITS_PER_PHA
from khala.runtime.modules.phat.state import CONTRACT_TOTAL_STAKES
from khala.worker.identity import WorkerKeys
from khala.worker.scheduler import FairScheduler

if TYPE_CHECKING:
    from khala.worker.runtime import WorkerRuntime

QUERY_DEADLINE_S = 10.0
"""Wall-clock limit of one query (Phala's SDK waits 10 s for an answer)."""
DEFAULT_SLOTS = 2
"""Queries running at once (the machine's cores; more only adds contention)."""
MAX_ENVELOPE_HEX = 2 * (64 * 1024)
"""Longest accepted envelope, in hex digits (64 KiB: a 16 KiB call data with room to spare)."""


class QueryApi:
    """Serves ``POST /query``."""

    def __init__(
        self,
        runtime: Callable[[], WorkerRuntime | None],
        keys: WorkerKeys,
        clock: Callable[[], float],
        entropy: Callable[[int], bytes],
        slots: int = DEFAULT_SLOTS,
    ) -> None:
        """Answer with ``keys``; ``clock`` gives Unix seconds, ``entropy`` fresh bytes."""
        self.runtime = runtime
        self.keys = keys
        self.clock = clock
        self.entropy = entropy
        self.scheduler = FairScheduler(slots)

    async def handle(self, request: web.Request) -> web.Response:
        """Open, verify, schedule, run and answer one query."""
        try:
            document = await request.json()
            text = document["envelope"] if isinstance(document, dict) else None
            if (
                not isinstance(text, str)
                or not text.startswith("0x")
                or len(text) > MAX_ENVELOPE_HEX
            ):
                raise ValueError("envelope must be 0x-prefixed hex")
            envelope = bytes.fromhex(text[2:])
        except (ValueError, KeyError, TypeError):
            return _refused(QueryErrorCode.UNREADABLE, 'send {"envelope": "0x…"} (hex, ≤ 64 KiB)')
        me = self.keys.identity.public_key
        try:
            signed = open_query(self.keys.ecdh_secret, me, envelope)
            origin = verify_query(signed, int(self.clock() * 1000))
        except QueryError as error:
            return _refused(error.code, error.message)
        body = signed.body
        result = await self._run(bytes(body.contract), origin, body.data, body.value)
        answer = Answer(body.nonce, me, result)
        sealed = seal_answer(
            self.keys.identity,
            answer,
            bytes(body.reply_key),
            self.entropy(EPHEMERAL_ENTROPY_LENGTH),
        )
        return web.json_response({"answer": "0x" + sealed.hex()})

    async def _run(
        self, contract: bytes, origin: bytes, data: bytes, value: int
    ) -> Ok[QueryOutput] | Err[QueryFailure]:
        runtime = self.runtime()
        host = None if runtime is None else runtime.contracts
        if runtime is None or host is None or host.runtime is None:
            return Err(
                QueryFailure(QueryErrorCode.NO_CLUSTER.value, "this worker serves no cluster")
            )
        stake = CONTRACT_TOTAL_STAKES.get(runtime.client.state(), contract)
        weight = max(1, stake // UNITS_PER_PHA)

        async def job() -> ExecOutcome:
            return await asyncio.to_thread(
                lambda: host.query(contract, origin, data, QUERY_DEADLINE_S, value)
            )

        try:
            outcome = await self.scheduler.submit(contract + origin, weight, job)
        except ContractError as error:
            return Err(QueryFailure(error.code.value, error.message))
        except QueryError as error:
            return Err(QueryFailure(error.code.value, error.message))
        except LookupError as error:
            return Err(QueryFailure(QueryErrorCode.NO_CLUSTER.value, str(error)))
        return Ok(
            QueryOutput(outcome.reverted, outcome.data, outcome.gas_consumed, outcome.debug_message)
        )

    def status(self) -> dict[str, object]:
        """For ``/info``."""
        return {"running": self.scheduler.running, "queued": self.scheduler.queued}


def _refused(code: StrEnum, message: str) -> web.Response:
    return web.json_response({"error": {"code": code.value, "message": message}}, status=400)
