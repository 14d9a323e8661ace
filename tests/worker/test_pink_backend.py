"""Pink's HTTP from a query, against a real local HTTP server; timeouts, caps, bad URLs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from khala.contracts.cluster import ClusterRuntime
from khala.contracts.engine import WasmEngine
from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.pink import HttpFailure, HttpRequest, HttpRequestError, HttpResponse
from khala.enclave.simulated import SimulatedEnclave
from khala.offchain.contract_keys import cluster_key
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import codec_of, encode
from khala.runtime.modules.phat import payloads
from khala.runtime.modules.phat.ids import cluster_id, contract_id
from khala.runtime.modules.phat.types import ClusterInfo, Public
from khala.worker.pink_backend import MAX_RESPONSE_BYTES, WorkerPinkBackend
from tests.contracts.conftest import probe_wasm  # noqa: F401 - a fixture

CLUSTER = cluster_id(1)
ALICE = b"\xaa" * 32


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A local HTTP server in a thread: /hello, /slow (2 s), /big (over the cap)."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    state: dict[str, object] = {}

    async def hello(request: web.Request) -> web.Response:
        body = await request.read()
        return web.Response(text=f"hello {request.method} {body.decode()}", headers={"X-Test": "1"})

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.Response(text="late")

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=bytes(MAX_RESPONSE_BYTES + 1))

    async def start() -> None:
        app = web.Application()
        app.router.add_route("*", "/hello", hello)
        app.router.add_get("/slow", slow)
        app.router.add_get("/big", big)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        state["runner"] = runner
        state["port"] = runner.addresses[0][1]
        started.set()

    thread = threading.Thread(
        target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True
    )
    thread.start()
    started.wait(10)
    yield f"http://127.0.0.1:{state['port']}"
    runner = state["runner"]
    assert isinstance(runner, web.AppRunner)
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture
def backend(tmp_path: Path) -> WorkerPinkBackend:
    enclave = SimulatedEnclave(tmp_path / "machine.key", tmp_path / "pki", lambda: 1)
    return WorkerPinkBackend(enclave, b"\x01" * 32, lambda: 1_700_000_000.0)


def test_requests_reach_the_server(backend: WorkerPinkBackend, server: str) -> None:
    response = backend.http_request(
        HttpRequest(server + "/hello", "POST", [("X-A", "b")], b"body"), 5
    )
    assert (response.status_code, response.body) == (200, b"hello POST body")
    assert ("X-Test", "1") in response.headers


@pytest.mark.parametrize(
    ("url", "method", "kind"),
    [
        ("ftp://example.test/", "GET", HttpRequestError.INVALID_URL),
        ("http://127.0.0.1:9/", "FETCH", HttpRequestError.INVALID_METHOD),
        ("http://127.0.0.1:9/", "GET", HttpRequestError.NETWORK_ERROR),
    ],
)
def test_bad_requests_fail_typed(
    backend: WorkerPinkBackend, url: str, method: str, kind: HttpRequestError
) -> None:
    with pytest.raises(HttpFailure) as caught:
        backend.http_request(HttpRequest(url, method, [], b""), 2)
    assert caught.value.kind is kind


def test_timeouts_and_size_caps(backend: WorkerPinkBackend, server: str) -> None:
    with pytest.raises(HttpFailure) as caught:
        backend.http_request(HttpRequest(server + "/slow", "GET", [], b""), 0.3)
    assert caught.value.kind is HttpRequestError.TIMEOUT
    with pytest.raises(HttpFailure) as caught:
        backend.http_request(HttpRequest(server + "/big", "GET", [], b""), 5)
    assert caught.value.kind is HttpRequestError.RESPONSE_TOO_LARGE


def test_a_contract_query_makes_an_http_request(
    backend: WorkerPinkBackend,
    server: str,
    probe_wasm: bytes,  # noqa: F811
) -> None:
    runtime = ClusterRuntime(
        WasmEngine(),
        CLUSTER,
        cluster_key(b"\x01" * 32, CLUSTER),
        ClusterInfo(ALICE, Public(), 0, 0, 0),
        backend,
    )
    runtime.apply(payloads.CodeUploaded(CLUSTER, ALICE, probe_wasm), 1, 0)
    code_hash = blake2_256(probe_wasm)
    address = contract_id(ALICE, code_hash, CLUSTER, b"")
    runtime.apply(
        payloads.InstantiateRequest(
            CLUSTER, address, ALICE, code_hash, b"\x00", b"", 0, 10**9, None
        ),
        1,
        0,
    )
    request = encode(HttpRequest(server + "/hello", "GET", [], b""))
    call = b"\x0a" + (1).to_bytes(4, "little") + request  # probe op 10: pink function 1
    outcome = runtime.query(address, ALICE, call, block=1, now_ms=0, deadline_s=5)
    status, output = int.from_bytes(outcome.data[:4], "little"), outcome.data[4:]
    response = codec_of(HttpResponse).decode(output)
    assert (status, response.status_code, response.body) == (0, 200, b"hello GET ")
    # A slow server cannot hold a query past its deadline.
    slow = encode(HttpRequest(server + "/slow", "GET", [], b""))
    with pytest.raises(ContractError) as caught:
        runtime.query(
            address,
            ALICE,
            b"\x0a" + (1).to_bytes(4, "little") + slow,
            block=1,
            now_ms=0,
            deadline_s=0.3,
        )
    assert caught.value.code is ContractErrorCode.TRAPPED  # pink: "http_request failed: TIMEOUT"
    assert "TIMEOUT" in caught.value.message
