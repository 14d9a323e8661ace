"""Phala's pink chain extension: HTTP, signing, key derivation, a cache, logs, randomness.

Contracts written with Phala's ``pink`` crate call these functions through
``call_chain_extension`` with extension id 0 and the function ids of ``pink::chain_extension``
(``http_request`` = 1 … ``batch_http_request`` = 22). Arguments arrive SCALE-encoded as a
tuple; outputs go back SCALE-encoded with status 0, except the functions whose status carries
an error code (``cache_set``: 1 = quota exceeded; ``batch_http_request``: the error's index + 1).

Commands are replayed by every worker of a cluster, so in a command the non-deterministic
functions answer what Phala's runtime answers in a transaction: ``http_request`` a 523
response, ``batch_http_request`` ``NotAllowed``, sr25519 ``sign`` and ``getrandom`` empty
bytes, ``cache_get`` None, the clock 0 and the worker key zeros. Everything that touches the
outside world (HTTP, the clock, randomness, the worker-local cache, the log sink) is a
:class:`PinkBackend` the worker provides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

import sr25519

from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.extension import ExtensionCall, ExtensionHost
from khala.primitives.crypto.keys import KeyScheme, keypair_from_seed, verify
from khala.primitives.hashing import blake2_256
from khala.primitives.scale.containers import Err, Ok
from khala.primitives.scale.declare import H256, U8, U16, U64, U128, codec_of, encode
from khala.primitives.scale.errors import ScaleError

MAX_BATCH_REQUESTS = 5
"""Requests one ``batch_http_request`` may make (Phala's limit)."""


class SigType(IntEnum):
    """Signature schemes of ``sign``/``verify``/``get_public_key``, by pink's indices."""

    ED25519 = 0
    """EdDSA; deterministic, so allowed in commands."""
    SR25519 = 1
    """Schnorrkel; randomised signatures, so ``sign`` answers empty bytes in commands."""
    ECDSA = 2
    """secp256k1; not provided by this host."""


class HttpRequestError(IntEnum):
    """Why an HTTP request failed, by pink's indices (its status code is index + 1)."""

    INVALID_URL = 0
    """The URL does not parse or is not http(s)."""
    INVALID_METHOD = 1
    """Not an HTTP method."""
    INVALID_HEADER_NAME = 2
    """A header name is not a token."""
    INVALID_HEADER_VALUE = 3
    """A header value has control characters."""
    FAILED_TO_CREATE_CLIENT = 4
    """The worker could not create an HTTP client."""
    TIMEOUT = 5
    """No complete response within the deadline."""
    NOT_ALLOWED = 6
    """HTTP is not allowed here (commands)."""
    TOO_MANY_REQUESTS = 7
    """More requests than one batch may make."""
    NETWORK_ERROR = 8
    """Connection refused, reset, DNS failure…"""
    RESPONSE_TOO_LARGE = 9
    """The response body exceeded the worker's cap."""
    TOO_MANY_HEADERS = 10
    """More headers than the worker accepts."""


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """pink's ``HttpRequest``."""

    url: str
    """Absolute http(s) URL."""
    method: str
    """``GET``, ``POST``…"""
    headers: list[tuple[str, str]]
    """Request headers."""
    body: bytes
    """Request body."""


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """pink's ``HttpResponse``."""

    status_code: U16
    """HTTP status."""
    reason_phrase: str
    """Its reason phrase."""
    headers: list[tuple[str, str]]
    """Response headers."""
    body: bytes
    """Response body (capped by the worker)."""


class HttpFailure(Exception):  # noqa: N818 - carries a pink error code, not a khala error
    """Raised by a backend when a request fails; carries pink's error kind."""

    def __init__(self, kind: HttpRequestError, message: str = "") -> None:
        """Fail with ``kind``."""
        super().__init__(message or kind.name)
        self.kind = kind


class PinkBackend(Protocol):
    """The worker's side of pink: everything outside the deterministic contract state."""

    def http_request(self, request: HttpRequest, timeout_s: float) -> HttpResponse:
        """Make one request (queries only); raise :class:`HttpFailure` on failure."""
        ...

    def contract_secret(self, contract: bytes) -> bytes:
        """The contract's sr25519 secret (64 bytes), from ``contract_key``."""
        ...

    def cache_get(self, contract: bytes, key: bytes) -> bytes | None:
        """Read the worker-local cache."""
        ...

    def cache_set(self, contract: bytes, key: bytes, value: bytes | None) -> bool:
        """Write (None: remove) the cache; False when the contract's quota is exceeded."""
        ...

    def log(self, contract: bytes, level: int, message: str) -> None:
        """Record a contract's log line."""
        ...

    def random(self, length: int) -> bytes:
        """Fresh randomness (queries only)."""
        ...

    def now_ms(self) -> int:
        """The worker's wall clock (queries only; untrusted)."""
        ...

    def worker_pubkey(self) -> bytes:
        """The worker's x25519 public key."""
        ...


HTTP_TIMEOUT_S = 10.0
"""Deadline of a single ``http_request`` (Phala's default)."""
RUNTIME_VERSION = (1, 0)
"""What ``runtime_version`` answers: the pink API generation this host implements."""
_UNAVAILABLE = HttpResponse(
    523, "API Unavailable", [], b"HTTP request is not supported in transaction"
)


class PinkExtension:
    """The pink chain extension over a backend."""

    def __init__(
        self, backend: PinkBackend, *, signature_cost: int = 50_000, http_cost: int = 100_000
    ) -> None:
        """Serve pink's functions from ``backend``; costs are charged as gas."""
        self.backend = backend
        """The worker's side."""
        self._signature_cost = signature_cost
        self._http_cost = http_cost
        self._functions: dict[int, Callable[[ExtensionHost, ExtensionCall], tuple[int, bytes]]] = {
            1: self._http_request,
            2: self._sign,
            3: self._verify,
            4: self._derive_sr25519_key,
            5: self._get_public_key,
            6: self._cache_set,
            7: self._cache_set_expiration,
            8: self._cache_get,
            9: self._cache_remove,
            10: self._log,
            11: self._getrandom,
            12: lambda host, call: (0, b"\x00" if call.in_query else b"\x01"),
            16: self._balance_of,
            17: lambda host, call: (
                0,
                self.backend.worker_pubkey() if call.in_query else bytes(32),
            ),
            18: lambda host, call: (0, encode_u64(self.backend.now_ms() if call.in_query else 0)),
            21: lambda host, call: (
                0,
                RUNTIME_VERSION[0].to_bytes(4, "little") + RUNTIME_VERSION[1].to_bytes(4, "little"),
            ),
            22: self._batch_http_request,
        }

    def call(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        """Dispatch by function id."""
        function = self._functions.get(call.func_id)
        if function is None:
            raise ContractError(
                ContractErrorCode.NO_CHAIN_EXTENSION,
                f"pink has no function {call.func_id} here",
            )
        return function(host, call)

    def _http_request(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        request = _args(HttpRequest, call)
        host.charge(self._http_cost)
        if not call.in_query:
            return 0, encode(_UNAVAILABLE)
        try:
            timeout = _timeout(host, HTTP_TIMEOUT_S)
            with host.unlocked():
                response = self.backend.http_request(request, timeout)
            return 0, encode(response)
        except HttpFailure as failure:
            raise ContractError(
                ContractErrorCode.TRAPPED,
                f"http_request to {request.url} failed: {failure.kind.name} ({failure})",
            ) from None

    def _batch_http_request(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        requests, timeout_ms = _args(tuple[list[HttpRequest], U64], call)
        if not call.in_query:
            return HttpRequestError.NOT_ALLOWED + 1, b""
        if len(requests) > MAX_BATCH_REQUESTS:
            return HttpRequestError.TOO_MANY_REQUESTS + 1, b""
        host.charge(self._http_cost * len(requests))
        results: list[Ok[HttpResponse] | Err[HttpRequestError]] = []
        for request in requests:
            try:
                timeout = _timeout(host, timeout_ms / 1000)
                with host.unlocked():
                    response = self.backend.http_request(request, timeout)
                results.append(Ok(response))
            except HttpFailure as failure:
                results.append(Err(failure.kind))
        return 0, encode_batch(results)

    def _sign(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        sigtype, key, message = _args(tuple[SigType, bytes, bytes], call)
        host.charge(self._signature_cost)
        if sigtype is SigType.SR25519:
            if not call.in_query:
                return 0, _vec(b"")
            public = sr25519.public_from_secret_key(_sr25519_secret(key))
            return 0, _vec(bytes(sr25519.sign((public, key), message)))
        if sigtype is SigType.ED25519:
            return 0, _vec(keypair_from_seed(KeyScheme.ED25519, _seed(key)).sign(message))
        raise _no_ecdsa()

    def _verify(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        sigtype, public, message, signature = _args(tuple[SigType, bytes, bytes, bytes], call)
        host.charge(self._signature_cost)
        if sigtype is SigType.ECDSA:
            raise _no_ecdsa()
        scheme = KeyScheme.SR25519 if sigtype is SigType.SR25519 else KeyScheme.ED25519
        return 0, b"\x01" if verify(scheme, public, message, signature) else b"\x00"

    def _derive_sr25519_key(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        salt = _args(bytes, call)
        host.charge(self._signature_cost)
        secret = self.backend.contract_secret(call.contract)
        public = bytes(sr25519.public_from_secret_key(secret))
        for junction in (call.contract, salt, b"keygen"):
            _, public, secret = sr25519.hard_derive_keypair(
                (bytes_chain_code(junction), public, secret), b""
            )
        return 0, _vec(bytes(secret))

    def _get_public_key(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        sigtype, key = _args(tuple[SigType, bytes], call)
        host.charge(self._signature_cost // 10)
        if sigtype is SigType.SR25519:
            return 0, _vec(bytes(sr25519.public_from_secret_key(_sr25519_secret(key))))
        if sigtype is SigType.ED25519:
            return 0, _vec(keypair_from_seed(KeyScheme.ED25519, _seed(key)).public_key)
        raise _no_ecdsa()

    def _cache_set(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        key, value = _args(tuple[bytes, bytes], call)
        return (0 if self.backend.cache_set(call.contract, key, value) else 1), b""

    def _cache_set_expiration(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        _args(tuple[bytes, U64], call)  # expiry is advisory: the worker's cache may evict earlier
        return 0, b""

    def _cache_get(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        key = _args(bytes, call)
        found = self.backend.cache_get(call.contract, key) if call.in_query else None
        return 0, encode_option_bytes(found)

    def _cache_remove(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        key = _args(bytes, call)
        previous = self.backend.cache_get(call.contract, key)
        self.backend.cache_set(call.contract, key, None)
        return 0, encode_option_bytes(previous if call.in_query else None)

    def _log(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        level, message = _args(tuple[U8, str], call)
        self.backend.log(call.contract, level, message)
        return 0, b""

    def _getrandom(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        length = _args(U8, call)
        return 0, _vec(self.backend.random(length) if call.in_query else b"")

    def _balance_of(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        account = _args(H256, call)
        amount = host.balance_of(account)
        return 0, codec_of(tuple[U128, U128]).encode((amount, amount))


def _timeout(host: ExtensionHost, wanted: float) -> float:
    """``wanted``, cut to what is left of the query's deadline."""
    left = host.time_left()
    if left is None:
        return wanted
    if left <= 0:
        raise ContractError(ContractErrorCode.DEADLINE, "the query ran past its deadline")
    return min(wanted, left)


def bytes_chain_code(junction: bytes) -> bytes:
    """The chain code of a byte-string junction, as ``sp_core``'s ``DeriveJunction::hard``."""
    encoded = _vec(junction)
    return blake2_256(encoded) if len(encoded) > 32 else encoded.ljust(32, b"\0")


def encode_u64(value: int) -> bytes:
    """SCALE u64."""
    return value.to_bytes(8, "little")


def encode_option_bytes(value: bytes | None) -> bytes:
    """SCALE ``Option<Vec<u8>>``."""
    return b"\x00" if value is None else b"\x01" + _vec(value)


def encode_batch(results: list[Ok[HttpResponse] | Err[HttpRequestError]]) -> bytes:
    """SCALE ``Vec<Result<HttpResponse, HttpRequestError>>``."""
    return codec_of(list[Ok[HttpResponse] | Err[HttpRequestError]]).encode(results)


def _vec(data: bytes) -> bytes:
    return codec_of(bytes).encode(data)


def _args(annotation: Any, call: ExtensionCall) -> Any:
    try:
        return codec_of(annotation).decode(call.input)
    except ScaleError as error:
        raise ContractError(
            ContractErrorCode.DECODING_FAILED, f"pink function {call.func_id} arguments: {error}"
        ) from None


def _sr25519_secret(key: bytes) -> bytes:
    if len(key) != 64:
        raise ContractError(ContractErrorCode.DECODING_FAILED, "an sr25519 secret key is 64 bytes")
    return key


def _seed(key: bytes) -> bytes:
    if len(key) != 32:
        raise ContractError(ContractErrorCode.DECODING_FAILED, "an ed25519 secret key is 32 bytes")
    return key


def _no_ecdsa() -> ContractError:
    return ContractError(
        ContractErrorCode.NO_CHAIN_EXTENSION, "pink ECDSA functions are not provided"
    )
