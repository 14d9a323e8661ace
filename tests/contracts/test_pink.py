"""Phala's pink chain extension through call_chain_extension, in commands and in queries."""

from __future__ import annotations

from typing import Any

import pytest
import sr25519

from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.pink import (
    HttpFailure,
    HttpRequest,
    HttpRequestError,
    HttpResponse,
    PinkExtension,
    SigType,
)
from khala.contracts.pink_memory import MemoryPinkBackend
from khala.primitives.crypto.keys import KeyScheme, keypair_from_seed, verify
from khala.primitives.scale.containers import Err, Ok
from khala.primitives.scale.declare import U8, U64, U128, codec_of, encode

from .conftest import ALICE, Host

QUERY: dict[str, Any] = {"in_query": True, "deadline_s": 5.0}


def answer(request: HttpRequest, timeout_s: float) -> HttpResponse:
    if "fail" in request.url:
        raise HttpFailure(HttpRequestError.TIMEOUT)
    return HttpResponse(200, "OK", [("x-echo", request.method)], request.url.encode())


@pytest.fixture
def backend(host: Host) -> MemoryPinkBackend:
    backend = MemoryPinkBackend(http=answer, now_ms=1234, worker_pubkey=b"\x77" * 32)
    host.extension = PinkExtension(backend)
    return backend


def ext(host: Host, probe: bytes, func_id: int, args: bytes, **options: Any) -> tuple[int, bytes]:
    """Call pink function ``func_id`` through the probe; return (status, output)."""
    outcome = host.call(probe, b"\x0a" + func_id.to_bytes(4, "little") + args, **options)
    return int.from_bytes(outcome.data[:4], "little"), outcome.data[4:]


def vec(data: bytes) -> bytes:
    return codec_of(bytes).encode(data)


def test_is_in_transaction(host: Host, probe: bytes, backend: MemoryPinkBackend) -> None:
    assert ext(host, probe, 12, b"") == (0, b"\x01")
    assert ext(host, probe, 12, b"", **QUERY) == (0, b"\x00")


def test_http_request_only_in_queries(host: Host, probe: bytes, backend: MemoryPinkBackend) -> None:
    request = encode(HttpRequest("http://example.test/a", "GET", [], b""))
    status, output = ext(host, probe, 1, request, **QUERY)
    response = codec_of(HttpResponse).decode(output)
    assert (status, response.status_code, response.body) == (0, 200, b"http://example.test/a")
    status, output = ext(host, probe, 1, request)
    assert codec_of(HttpResponse).decode(output).status_code == 523
    failing = encode(HttpRequest("http://example.test/fail", "GET", [], b""))
    with pytest.raises(ContractError) as caught:
        ext(host, probe, 1, failing, **QUERY)
    assert caught.value.code is ContractErrorCode.TRAPPED


def test_batch_http_request(host: Host, probe: bytes, backend: MemoryPinkBackend) -> None:
    requests = [
        HttpRequest("http://a.test/", "GET", [], b""),
        HttpRequest("http://fail.test/", "GET", [], b""),
    ]
    args = codec_of(tuple[list[HttpRequest], U64]).encode((requests, 1000))
    status, output = ext(host, probe, 22, args, **QUERY)
    results = codec_of(list[Ok[HttpResponse] | Err[HttpRequestError]]).decode(output)
    assert status == 0
    assert isinstance(results[0], Ok) and results[0].value.body == b"http://a.test/"
    assert isinstance(results[1], Err) and results[1].error is HttpRequestError.TIMEOUT
    assert ext(host, probe, 22, args) == (HttpRequestError.NOT_ALLOWED + 1, b"")
    many = codec_of(tuple[list[HttpRequest], U64]).encode((requests * 3, 1000))
    assert ext(host, probe, 22, many, **QUERY) == (HttpRequestError.TOO_MANY_REQUESTS + 1, b"")


def test_signing_and_verification(host: Host, probe: bytes, backend: MemoryPinkBackend) -> None:
    ed = keypair_from_seed(KeyScheme.ED25519, b"\x05" * 32)
    args = bytes([SigType.ED25519]) + vec(ed.secret) + vec(b"msg")
    status, output = ext(host, probe, 2, args)  # ed25519 is deterministic: allowed in commands
    signature = codec_of(bytes).decode(output)
    assert status == 0 and verify(KeyScheme.ED25519, ed.public_key, b"msg", signature)
    check = bytes([SigType.ED25519]) + vec(ed.public_key) + vec(b"msg") + vec(signature)
    assert ext(host, probe, 3, check) == (0, b"\x01")
    assert ext(host, probe, 3, check.replace(b"msg", b"bad", 1)) == (0, b"\x00")
    assert ext(host, probe, 5, bytes([SigType.ED25519]) + vec(ed.secret)) == (0, vec(ed.public_key))

    sr = keypair_from_seed(KeyScheme.SR25519, b"\x06" * 32)
    sr_args = bytes([SigType.SR25519]) + vec(sr.secret) + vec(b"msg")
    assert ext(host, probe, 2, sr_args) == (0, vec(b""))  # randomised: empty in commands
    _, output = ext(host, probe, 2, sr_args, **QUERY)
    assert verify(KeyScheme.SR25519, sr.public_key, b"msg", codec_of(bytes).decode(output))
    with pytest.raises(ContractError) as caught:
        ext(host, probe, 2, bytes([SigType.ECDSA]) + vec(b"k") + vec(b"m"))
    assert caught.value.code is ContractErrorCode.NO_CHAIN_EXTENSION


def test_derived_keys_depend_on_contract_and_salt(
    host: Host, probe: bytes, backend: MemoryPinkBackend, probe_wasm: bytes
) -> None:
    first = ext(host, probe, 4, vec(b"salt"))[1]
    assert ext(host, probe, 4, vec(b"salt"))[1] == first  # deterministic: same in every worker
    assert ext(host, probe, 4, vec(b"pepper"))[1] != first
    other = host.instantiate(host.upload(probe_wasm), b"\x00", b"other").address
    assert other is not None
    assert ext(host, other, 4, vec(b"salt"))[1] != first
    secret = codec_of(bytes).decode(first)
    public = bytes(sr25519.public_from_secret_key(secret))
    signature = sr25519.sign((public, secret), b"m")
    assert verify(KeyScheme.SR25519, public, b"m", bytes(signature))


def test_cache_and_log(host: Host, probe: bytes, backend: MemoryPinkBackend) -> None:
    assert ext(host, probe, 6, vec(b"key") + vec(b"value")) == (0, b"")
    assert ext(host, probe, 8, vec(b"key"), **QUERY) == (0, b"\x01" + vec(b"value"))
    assert ext(host, probe, 8, vec(b"key")) == (0, b"\x00")  # commands never read the cache
    assert ext(host, probe, 9, vec(b"key"), **QUERY) == (0, b"\x01" + vec(b"value"))
    assert ext(host, probe, 8, vec(b"key"), **QUERY) == (0, b"\x00")
    ext(host, probe, 10, codec_of(tuple[U8, str]).encode((2, "hello")))
    assert backend.logs == [(probe, 2, "hello")]


def test_quota_exceeded_is_status_one(host: Host, probe: bytes, backend: MemoryPinkBackend) -> None:
    from khala.contracts import pink_memory

    backend.cache[(probe, b"filler")] = bytes(pink_memory.CACHE_QUOTA_BYTES)
    assert ext(host, probe, 6, vec(b"k") + vec(b"v")) == (1, b"")


def test_environment_answers(host: Host, probe: bytes, backend: MemoryPinkBackend) -> None:
    host.world.set_balance(ALICE, 99)
    balance = codec_of(tuple[U128, U128]).encode((99, 99))
    assert ext(host, probe, 16, ALICE) == (0, balance)
    assert ext(host, probe, 17, b"", **QUERY) == (0, b"\x77" * 32)
    assert ext(host, probe, 17, b"") == (0, bytes(32))
    assert ext(host, probe, 18, b"", **QUERY) == (0, (1234).to_bytes(8, "little"))
    assert ext(host, probe, 18, b"") == (0, bytes(8))
    first = ext(host, probe, 11, bytes([8]), **QUERY)[1]
    assert len(codec_of(bytes).decode(first)) == 8
    assert ext(host, probe, 11, bytes([8]), **QUERY)[1] != first
    assert ext(host, probe, 11, bytes([8])) == (0, vec(b""))
    assert ext(host, probe, 21, b"") == (0, (1).to_bytes(4, "little") + (0).to_bytes(4, "little"))


def test_unknown_functions_and_extensions_trap(
    host: Host, probe: bytes, backend: MemoryPinkBackend
) -> None:
    for func_id in (99, 1 << 16 | 1):
        with pytest.raises(ContractError) as caught:
            ext(host, probe, func_id, b"")
        assert caught.value.code is ContractErrorCode.NO_CHAIN_EXTENSION


def test_malformed_arguments_trap(host: Host, probe: bytes, backend: MemoryPinkBackend) -> None:
    with pytest.raises(ContractError) as caught:
        ext(host, probe, 3, b"\x00\xff")
    assert caught.value.code is ContractErrorCode.DECODING_FAILED


def test_without_an_extension_the_call_traps(host: Host, probe: bytes) -> None:
    with pytest.raises(ContractError) as caught:
        ext(host, probe, 12, b"")
    assert caught.value.code is ContractErrorCode.NO_CHAIN_EXTENSION
