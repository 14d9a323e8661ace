"""Registering workers and keeping their endpoints fresh.

The relayer asks the worker for a registration (info + quote + collateral, already bound
together by REPORTDATA), submits ``registry.register_worker`` signed by the operator account
(which pays the fee), then publishes the worker's signed endpoint. It repeats both before the
quote's collateral or the endpoint signature (valid 4 hours) age out. The relayer cannot forge
anything: it only carries bytes the worker signed or attested.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import aiohttp
import structlog

from khala.errors import KhalaError
from khala.primitives.crypto import Keypair
from khala.relayer.submitter import Submitter
from khala.runtime.modules.registry.calls import RegisterWorker, UpdateWorkerEndpoint
from khala.sdk import AsyncClient, Receipt, SdkError
from khala.sdk.backoff import Backoff
from khala.sdk.worker_api import HttpWorkerApi

log = structlog.get_logger("khala.relayer")

DEFAULT_REFRESH_S = 3600.0
"""Re-register and refresh the endpoint hourly: well inside the 4-hour endpoint validity and
the 30-day collateral validity, and each registration carries a fresh quote."""


class RelayerErrorCode(StrEnum):
    """Codes of :class:`RelayerError`."""

    WORKER_UNREACHABLE = "relayer.worker_unreachable"
    """The worker's API did not answer (is ``khala worker`` running at that URL?)."""
    REJECTED = "relayer.rejected"
    """The chain refused the submission; the message carries the module error code."""


class RelayerError(KhalaError):
    """A relay step failed."""


@dataclass(frozen=True, slots=True)
class RelayerConfig:
    """Everything ``khala relayer`` is configured with."""

    node_url: str
    """The chain node's RPC URL."""
    worker_url: str
    """The worker's API URL."""
    operator: Keypair
    """The account that operates the worker and pays for its registrations."""
    refresh_s: float = DEFAULT_REFRESH_S
    """Seconds between refreshes."""
    submitter: Submitter | None = None
    """Shared nonce serialisation when several tasks submit as the same operator."""
    owner: bytes | None = None
    """The operator the relayer expects the worker to register for (the worker's own
    ``--operator`` decides; a different one is refused); None accepts the worker's."""


async def _worker_call(config: RelayerConfig, call: Any) -> Any:
    """Run one call on the worker's API, turning its failures into relayer errors."""
    try:
        return await call
    except SdkError as error:
        raise RelayerError(
            RelayerErrorCode.WORKER_UNREACHABLE,
            f"{redact(config.worker_url)}: {error.message}; is `khala worker` running there?",
        ) from None


def redact(url: str) -> str:
    """``url`` without credentials (a worker's control token), fit for logs and messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _check(receipt: Receipt, what: str) -> Receipt:
    if receipt.success is False:
        raise RelayerError(RelayerErrorCode.REJECTED, f"{what} rejected: {receipt.error}")
    return receipt


async def register_worker(
    config: RelayerConfig, client: AsyncClient, session: aiohttp.ClientSession
) -> Receipt:
    """Fetch a fresh registration from the worker and submit it; waits for finality.

    Raises:
        RelayerError: When the worker is unreachable or the chain refuses the registration.
    """
    api = HttpWorkerApi(config.worker_url, session)
    registration = await _worker_call(config, api.registration(config.owner))
    call = RegisterWorker(registration.info, registration.attestation)
    receipt = await (config.submitter or Submitter(config.operator)).submit(client, call, wait=True)
    log.info(
        "registration submitted",
        worker="0x" + registration.info.pubkey.hex(),
        block=receipt.block_number,
        success=receipt.success,
        error=receipt.error,
    )
    return _check(receipt, "registration")


async def update_endpoint(
    config: RelayerConfig, client: AsyncClient, session: aiohttp.ClientSession
) -> Receipt:
    """Have the worker sign its endpoint and publish it on chain.

    Raises:
        RelayerError: When the worker is unreachable or the chain refuses the update.
    """
    signed = await _worker_call(config, HttpWorkerApi(config.worker_url, session).endpoint())
    call = UpdateWorkerEndpoint(
        signed.pubkey, signed.endpoint, signed.signing_time, signed.signature
    )
    receipt = await (config.submitter or Submitter(config.operator)).submit(client, call, wait=True)
    return _check(receipt, "endpoint update")


async def relay_once(config: RelayerConfig) -> tuple[Receipt, Receipt]:
    """Register the worker and publish its endpoint once."""
    async with (
        AsyncClient(config.node_url) as client,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session,
    ):
        registered = await register_worker(config, client, session)
        endpoint = await update_endpoint(config, client, session)
        return registered, endpoint


async def relay_forever(
    config: RelayerConfig,
    *,
    relay: Callable[[RelayerConfig], Awaitable[object]] = relay_once,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Register and refresh every ``refresh_s`` seconds.

    A failure (the worker still starting, the node away, a refusal) is logged and retried with
    exponential backoff (0.5 s doubling to 30 s), so a worker started after its relayer is
    registered within seconds, not at the next hourly refresh.
    """
    backoff = Backoff()
    while True:
        try:
            await relay(config)
        except KhalaError as error:
            delay = backoff.next_delay()
            log.warning(
                "registration not done yet",
                worker=redact(config.worker_url),
                code=error.code.value,
                error=error.message,
                retry_in_s=delay,
            )
            await sleep(delay)
            continue
        backoff.reset()
        await sleep(config.refresh_s)
