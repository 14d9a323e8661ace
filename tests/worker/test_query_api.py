"""``POST /query``: encrypted signed queries answered privately; fair scheduling by stake."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web

from khala.offchain.query import (
    QueryBody,
    QueryErrorCode,
    open_answer,
    seal_query,
    sign_query,
)
from khala.primitives.crypto import KeyScheme, keypair_from_seed
from khala.primitives.crypto.envelope import x25519_public_key
from khala.primitives.scale.containers import Err, Ok
from khala.runtime.modules.phat.calls import AddCluster
from khala.runtime.modules.phat.types import Public
from khala.worker.query_api import QueryApi
from khala.worker.scheduler import FairScheduler
from tests.runtime.harness import PHA
from tests.worker.test_contracts_flow import A, ContractNet, _deploy, net  # noqa: F401
from tests.worker.test_gatekeeper_host import OWNER

USER = keypair_from_seed(KeyScheme.SR25519, b"\x21" * 32)
NOW_S = 1_700_000_000.0


def test_a_flooding_caller_does_not_starve_others() -> None:
    order: list[bytes] = []

    async def scenario() -> None:
        scheduler = FairScheduler(slots=1)
        gate = asyncio.Event()

        def job(flow: bytes, wait: bool = False) -> Any:
            async def run() -> None:
                if wait:
                    await gate.wait()
                order.append(flow)

            return run

        first = asyncio.create_task(scheduler.submit(b"flood", 1, job(b"flood", wait=True)))
        await asyncio.sleep(0)
        flood = [
            asyncio.create_task(scheduler.submit(b"flood", 1, job(b"flood"))) for _ in range(20)
        ]
        await asyncio.sleep(0)
        polite = [
            asyncio.create_task(scheduler.submit(b"polite", 1, job(b"polite"))) for _ in range(2)
        ]
        await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(first, *flood, *polite)

    asyncio.run(scenario())
    assert len(order) == 23
    # The polite caller's two queries are served right away, interleaved with the flood.
    assert [i for i, flow in enumerate(order) if flow == b"polite"] == [1, 3]


def test_stake_buys_a_larger_share() -> None:
    order: list[bytes] = []

    async def scenario() -> None:
        scheduler = FairScheduler(slots=1)
        gate = asyncio.Event()

        async def blocker() -> None:
            await gate.wait()

        def job(flow: bytes) -> Any:
            async def run() -> None:
                order.append(flow)

            return run

        first = asyncio.create_task(scheduler.submit(b"x", 1, blocker))
        await asyncio.sleep(0)
        tasks = [asyncio.create_task(scheduler.submit(b"rich", 3, job(b"rich"))) for _ in range(9)]
        tasks += [asyncio.create_task(scheduler.submit(b"poor", 1, job(b"poor"))) for _ in range(9)]
        await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(first, *tasks)

    asyncio.run(scenario())
    first_twelve = order[:12]
    assert first_twelve.count(b"rich") == 9 and first_twelve.count(b"poor") == 3


def test_a_full_queue_refuses_at_once() -> None:
    async def scenario() -> str:
        scheduler = FairScheduler(slots=1, max_queued=1)
        gate = asyncio.Event()

        async def blocker() -> None:
            await gate.wait()

        running = asyncio.create_task(scheduler.submit(b"a", 1, blocker))
        await asyncio.sleep(0)
        waiting = asyncio.create_task(scheduler.submit(b"a", 1, blocker))
        await asyncio.sleep(0)
        try:
            await scheduler.submit(b"b", 1, blocker)
        except Exception as error:
            code = getattr(error, "code", None)
            gate.set()
            await asyncio.gather(running, waiting)
            return str(getattr(code, "value", code))
        raise AssertionError("a third query was queued")

    assert asyncio.run(scenario()) == QueryErrorCode.BUSY.value


async def _post(api: QueryApi, payload: Any) -> tuple[int, Any]:
    app = web.Application()
    app.router.add_post("/query", api.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"http://127.0.0.1:{port}/query", json=payload) as response,
        ):
            return response.status, await response.json()
    finally:
        await runner.cleanup()


def test_a_query_is_answered_privately(net: ContractNet, shared: Path) -> None:  # noqa: F811
    host = net.contracts("a", A)
    net.root(AddCluster(OWNER.public_key, Public(), [A.identity.public_key], 100 * PHA, 1, 0, 0))
    net.blocks(4)
    _, contract, metadata = _deploy(net, shared, "v4_flipper", [True])
    runtime = SimpleNamespace(contracts=host, client=SimpleNamespace(state=net.harness.state))
    api = QueryApi(lambda: runtime, A, lambda: NOW_S, os.urandom)  # type: ignore[arg-type, return-value]
    worker_ecdh = x25519_public_key(A.ecdh_secret)
    reply_secret = os.urandom(32)
    get = metadata.encode_call(metadata.message("get"), [])
    body = QueryBody(
        contract,
        get,
        0,
        USER.public_key,
        os.urandom(32),
        int(NOW_S * 1000),
        x25519_public_key(reply_secret),
    )
    envelope = seal_query(
        worker_ecdh, A.identity.public_key, sign_query(body, USER), os.urandom(44)
    )
    status, document = asyncio.run(_post(api, {"envelope": "0x" + envelope.hex()}))
    assert status == 200
    answer = open_answer(
        reply_secret,
        bytes.fromhex(document["answer"][2:]),
        bytes(body.nonce),
        A.identity.public_key,
    )
    assert isinstance(answer.result, Ok)
    assert metadata.decode_return(metadata.message("get"), answer.result.value.data) == {"Ok": True}

    # Signed by someone else than the origin it names: refused in the clear, nothing run.
    forged = seal_query(worker_ecdh, A.identity.public_key, sign_query(body, OWNER), os.urandom(44))
    status, document = asyncio.run(_post(api, {"envelope": "0x" + forged.hex()}))
    assert (status, document["error"]["code"]) == (400, QueryErrorCode.BAD_SIGNATURE.value)
    status, document = asyncio.run(_post(api, {"envelope": "nonsense"}))
    assert (status, document["error"]["code"]) == (400, QueryErrorCode.UNREADABLE.value)

    # A contract this worker's cluster does not hold: a private, typed failure.
    missing = QueryBody(
        b"\x55" * 32,
        get,
        0,
        USER.public_key,
        os.urandom(32),
        int(NOW_S * 1000),
        x25519_public_key(reply_secret),
    )
    sealed = seal_query(
        worker_ecdh, A.identity.public_key, sign_query(missing, USER), os.urandom(44)
    )
    status, document = asyncio.run(_post(api, {"envelope": "0x" + sealed.hex()}))
    answer = open_answer(
        reply_secret,
        bytes.fromhex(document["answer"][2:]),
        bytes(missing.nonce),
        A.identity.public_key,
    )
    assert (
        isinstance(answer.result, Err)
        and answer.result.error.code == "contracts.contract_not_found"
    )
