"""Hardening: bounded RPC answers and subscriptions, typed errors for hostile input, CORS.

Found by an attacker: a 4 KB batch of 60 ``khala_syncBlocks`` calls produced a 415 MB answer;
20,000 subscriptions on one connection slowed block production; JSON nested 100k deep gave
an HTTP 500; any web page could drive a local node over WebSocket.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

from khala.node.rpc.errors import ErrorCode
from khala.node.rpc.methods import RpcMethods
from khala.node.rpc.policy import RpcPolicy, parse_cors
from khala.node.rpc.server import RpcServer
from khala.primitives.crypto import keypair_from_uri
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from khala.sdk import core
from tests.node.rpc_harness import make_node, run

SMALL = RpcPolicy(max_response_bytes=20_000, max_subscriptions=3)


@asynccontextmanager
async def serving(policy: RpcPolicy) -> AsyncIterator[tuple[Any, aiohttp.ClientSession, str]]:
    node = make_node()
    server = RpcServer(node, policy=policy)
    runner = web.AppRunner(server.application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/"
    async with aiohttp.ClientSession() as session:
        try:
            yield node, session, url
        finally:
            await server.close()
            await runner.cleanup()


def _call(method: str, *params: Any, request_id: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)}


def test_a_batch_answer_is_bounded_and_the_rest_is_refused_typed() -> None:
    """Sixty sync calls in one batch: answers stop at the limit; the rest say what to do."""

    async def scenario() -> None:
        async with serving(SMALL) as (node, session, url):
            for _ in range(8):
                node.clock.advance(2_000)
                node.author_next()
            batch = [_call("khala_syncBlocks", 0, 8, request_id=i) for i in range(60)]
            async with session.post(url, json=batch) as response:
                text = await response.text()
            answers = json.loads(text)
            ok = [a for a in answers if "result" in a]
            refused = [a for a in answers if "error" in a]
            # the answers that ran fit the limit; each refused call adds one short error
            assert len(text) - sum(len(json.dumps(a)) + 1 for a in refused) <= 20_000
            assert ok and refused and len(ok) + len(refused) == 60
            assert {a["error"]["code"] for a in refused} == {ErrorCode.RESPONSE_TOO_LARGE}
            assert "fewer" in refused[0]["error"]["message"]

    run(scenario())


def test_subscriptions_per_connection_are_capped() -> None:
    """Past the cap a subscription is refused with a typed error; unsubscribing frees a slot."""

    async def scenario() -> None:
        async with serving(SMALL) as (_, session, url), session.ws_connect(url) as socket:
            ids = []
            for request_id in range(1, 5):
                await socket.send_json(_call("chain_subscribeNewHeads", request_id=request_id))
                while True:
                    message = await socket.receive_json(timeout=10)
                    if message.get("id") == request_id:
                        break
                ids.append(message)
            assert all("result" in answer for answer in ids[:3])
            assert ids[3]["error"]["code"] == ErrorCode.TOO_MANY_SUBSCRIPTIONS

    run(scenario())


def test_hostile_json_and_numbers_get_typed_errors() -> None:
    """Deeply nested JSON is a parse error; a block number past u32 is an invalid param."""

    async def scenario() -> None:
        async with serving(RpcPolicy()) as (_, session, url):
            headers = {"Content-Type": "application/json"}
            async with session.post(url, data=b"[" * 100_000, headers=headers) as response:
                assert response.status == 200
                assert (await response.json())["error"]["code"] == ErrorCode.PARSE_ERROR
            async with session.post(url, json=_call("chain_getBlockHash", 2**32)) as response:
                answer = await response.json()
            assert answer["error"]["code"] == ErrorCode.INVALID_PARAMS

    run(scenario())


def test_browsers_from_other_origins_and_non_json_bodies_are_refused() -> None:
    """Only localhost pages may use the node by default; text/plain bodies are refused."""

    async def scenario() -> None:
        async with serving(RpcPolicy()) as (_, session, url):
            evil = {"Origin": "http://evil.example"}
            async with session.post(url, json=_call("system_name"), headers=evil) as response:
                assert response.status == 403
            local = {"Origin": "http://localhost:3000"}
            async with session.post(url, json=_call("system_name"), headers=local) as response:
                assert response.status == 200
                assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
            body = json.dumps(_call("system_name"))
            plain = {"Content-Type": "text/plain"}
            async with session.post(url, data=body, headers=plain) as response:
                assert response.status == 415
            try:
                async with session.ws_connect(url, headers=evil):
                    raise AssertionError("a foreign origin opened a WebSocket")
            except aiohttp.WSServerHandshakeError as refused:
                assert refused.status == 403
        opened = RpcPolicy(cors=parse_cors("all"))
        async with (
            serving(opened) as (_, session, url),
            session.ws_connect(url, headers={"Origin": "http://evil.example"}) as socket,
        ):
            await socket.send_json(_call("system_name"))
            assert (await socket.receive_json(timeout=10))["result"] == "khala"

    run(scenario())


def test_pending_extrinsics_answer_is_bounded() -> None:
    """author_pendingExtrinsics returns the oldest transactions up to its byte budget."""
    node = make_node()
    methods = RpcMethods(node)
    sender = keypair_from_uri("//Alice")
    raws = [
        core.sign(
            sender,
            core.transfer_call(keypair_from_uri("//Bob").public_key, 1, keep_alive=True),
            nonce=nonce,
            tip=0,
            genesis_hash=node.chain.genesis_hash,
            spec_version=SPEC_VERSION,
            transaction_version=TRANSACTION_VERSION,
        )
        for nonce in range(3)
    ]
    for raw in raws:
        node.submit(raw)
    assert methods.pending_extrinsics([]) == ["0x" + raw.hex() for raw in raws]
    methods.max_pending_bytes = 2 * len(raws[0])
    assert methods.pending_extrinsics([]) == ["0x" + raw.hex() for raw in raws[:2]]
