"""A typed client of a worker's control API, and an in-memory fake with the same interface.

The JSON shapes are declared here once: the worker builds its answers with ``to_json`` and the
relayer reads them with ``from_json``. :class:`HttpWorkerApi` talks to a real worker;
:class:`FakeWorkerApi` lets relayer tests run without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp

from khala.primitives.scale import codec_of
from khala.runtime.modules.registry.types import AttestationReport, WorkerRegistrationInfo
from khala.sdk.errors import SdkError, SdkErrorCode

_INFO = codec_of(WorkerRegistrationInfo)
_REPORT = codec_of(AttestationReport)


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


def _unhex(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise SdkError(SdkErrorCode.BAD_RESPONSE, f"the worker's {what} is not 0x-hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise SdkError(SdkErrorCode.BAD_RESPONSE, f"the worker's {what} is not 0x-hex") from None


@dataclass(frozen=True, slots=True)
class Registration:
    """``GET /registration``: what the relayer submits as ``registry.register_worker``."""

    info: WorkerRegistrationInfo
    """The registration info (its hash is in the quote's REPORTDATA)."""
    attestation: AttestationReport
    """The quote and collateral."""
    report_data: bytes
    """The quote's REPORTDATA, for reading."""
    provider: str
    """``sgx`` or ``tdx``."""

    def to_json(self) -> dict[str, Any]:
        """The answer's JSON."""
        return {
            "info": _hex(_INFO.encode(self.info)),
            "attestation": _hex(_REPORT.encode(self.attestation)),
            "pubkey": _hex(self.info.pubkey),
            "report_data": _hex(self.report_data),
            "provider": self.provider,
        }

    @classmethod
    def from_json(cls, answer: Any) -> Registration:
        """Read an answer.

        Raises:
            SdkError: ``sdk.bad_response`` for another shape.
        """
        try:
            return cls(
                _INFO.decode(_unhex(answer["info"], "info")),
                _REPORT.decode(_unhex(answer["attestation"], "attestation")),
                _unhex(answer["report_data"], "report data"),
                str(answer["provider"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SdkError(SdkErrorCode.BAD_RESPONSE, f"malformed registration: {error}") from None


@dataclass(frozen=True, slots=True)
class SignedEndpoint:
    """``GET /endpoint``: the worker's identity signature over its public URL."""

    pubkey: bytes
    """The worker's identity key."""
    endpoint: str
    """Its public API URL."""
    signing_time: int
    """Unix seconds when signed (the chain refuses signatures older than 4 hours)."""
    signature: bytes
    """The identity's signature."""

    def to_json(self) -> dict[str, Any]:
        """The answer's JSON."""
        return {
            "pubkey": _hex(self.pubkey),
            "endpoint": self.endpoint,
            "signing_time": self.signing_time,
            "signature": _hex(self.signature),
        }

    @classmethod
    def from_json(cls, answer: Any) -> SignedEndpoint:
        """Read an answer.

        Raises:
            SdkError: ``sdk.bad_response`` for another shape.
        """
        try:
            return cls(
                _unhex(answer["pubkey"], "pubkey"),
                str(answer["endpoint"]),
                int(answer["signing_time"]),
                _unhex(answer["signature"], "signature"),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SdkError(SdkErrorCode.BAD_RESPONSE, f"malformed endpoint: {error}") from None


@dataclass(frozen=True, slots=True)
class EgressQueue:
    """One origin's signed messages waiting for the chain (``GET /egress``)."""

    origin: bytes
    """The SCALE-encoded ``MessageOrigin``."""
    messages: list[tuple[int, bytes]]
    """``(sequence, SCALE-encoded SignedMessage)`` in sequence order."""

    def to_json(self) -> dict[str, Any]:
        """One entry of the answer's ``queues``."""
        return {
            "origin": _hex(self.origin),
            "messages": [
                {"sequence": sequence, "signed": _hex(signed)} for sequence, signed in self.messages
            ],
        }

    @classmethod
    def from_json(cls, entry: Any) -> EgressQueue:
        """Read one entry.

        Raises:
            SdkError: ``sdk.bad_response`` for another shape.
        """
        try:
            messages = [
                (int(item["sequence"]), _unhex(item["signed"], "message"))
                for item in entry["messages"]
            ]
            return cls(_unhex(entry["origin"], "origin"), messages)
        except (KeyError, TypeError, ValueError) as error:
            raise SdkError(SdkErrorCode.BAD_RESPONSE, f"malformed egress: {error}") from None


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """``POST /sync``: how far the worker got with a batch."""

    imported: int
    """Blocks imported."""
    synced_height: int
    """Its verified height now."""
    error: dict[str, Any] | None
    """Why it stopped early (a typed refusal), if it did."""

    @classmethod
    def from_json(cls, answer: Any) -> SyncOutcome:
        """Read an answer (a refused batch's ``error`` included).

        Raises:
            SdkError: ``sdk.bad_response`` for another shape.
        """
        if not isinstance(answer, dict):
            raise SdkError(SdkErrorCode.BAD_RESPONSE, "malformed sync answer")
        error = answer.get("error")
        return cls(
            int(answer.get("imported", 0)),
            int(answer.get("synced_height", -1)),
            error if isinstance(error, dict) else None,
        )


@dataclass(frozen=True, slots=True)
class WorkerStatus:
    """``GET /info`` (public and control API): who the worker is and how far it synced."""

    pubkey: bytes
    """Its identity public key: what governance and operators name it by."""
    synced_height: int
    """Its verified height (-1 before genesis)."""
    is_behind: bool
    """Whether its verified head is old (a relayer withholding blocks shows here)."""
    raw: dict[str, Any]
    """The whole answer (mining, gatekeeper and message counters), for display."""

    @classmethod
    def from_json(cls, answer: Any) -> WorkerStatus:
        """Read an answer.

        Raises:
            SdkError: ``sdk.bad_response`` for another shape.
        """
        try:
            return cls(
                _unhex(answer["pubkey"], "pubkey"),
                int(answer["synced_height"]),
                bool(answer["is_behind"]),
                dict(answer),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SdkError(SdkErrorCode.BAD_RESPONSE, f"malformed worker info: {error}") from None


class WorkerApi(Protocol):
    """What a relayer asks a worker (its control API)."""

    async def info(self) -> WorkerStatus:
        """The worker's ``/info``."""
        ...

    async def synced_height(self) -> int:
        """The worker's verified height (-1 before genesis)."""
        ...

    async def registration(self, operator: bytes | None) -> Registration:
        """A fresh registration (refused if ``operator`` is not the worker's)."""
        ...

    async def endpoint(self) -> SignedEndpoint:
        """The signed public endpoint."""
        ...

    async def sync(self, blocks: list[dict[str, Any]]) -> SyncOutcome:
        """Feed blocks in ``khala_syncBlocks`` shape."""
        ...

    async def egress(self) -> list[EgressQueue]:
        """Signed messages waiting for the chain."""
        ...


class HttpWorkerApi:
    """:class:`WorkerApi` over HTTP (a token travels as the URL's password)."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        """Talk to the worker at ``url`` over ``session``."""
        self.url = url.rstrip("/")
        self.session = session

    async def _request(self, method: str, path: str, body: Any = None) -> Any:
        try:
            async with self.session.request(method, self.url + path, json=body) as response:
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise SdkError(
                SdkErrorCode.CONNECTION_FAILED, f"the worker did not answer {path}: {error}"
            ) from None
        if response.status >= 400 and not (path == "/sync" and isinstance(answer, dict)):
            refusal = answer.get("error") if isinstance(answer, dict) else None
            detail = refusal if isinstance(refusal, dict) else {"message": str(answer)}
            raise SdkError(
                SdkErrorCode.RPC_ERROR,
                f"the worker refused {path} (HTTP {response.status}): "
                f"{detail.get('code', '')} {detail.get('message', '')}".strip(),
            )
        return answer

    async def info(self) -> WorkerStatus:
        """The worker's ``/info``."""
        return WorkerStatus.from_json(await self._request("GET", "/info"))

    async def synced_height(self) -> int:
        """The worker's verified height."""
        return (await self.info()).synced_height

    async def registration(self, operator: bytes | None) -> Registration:
        """A fresh registration."""
        query = "" if operator is None else f"?operator=0x{operator.hex()}"
        return Registration.from_json(await self._request("GET", "/registration" + query))

    async def endpoint(self) -> SignedEndpoint:
        """The signed public endpoint."""
        return SignedEndpoint.from_json(await self._request("GET", "/endpoint"))

    async def sync(self, blocks: list[dict[str, Any]]) -> SyncOutcome:
        """Feed blocks."""
        return SyncOutcome.from_json(await self._request("POST", "/sync", {"blocks": blocks}))

    async def egress(self) -> list[EgressQueue]:
        """Signed messages waiting for the chain."""
        answer = await self._request("GET", "/egress")
        queues = answer.get("queues", []) if isinstance(answer, dict) else None
        if not isinstance(queues, list):
            raise SdkError(SdkErrorCode.BAD_RESPONSE, "malformed egress answer")
        return [EgressQueue.from_json(entry) for entry in queues]


@dataclass
class FakeWorkerApi:
    """An in-memory worker for relayer tests: it imports whatever it is fed, in order."""

    height: int = -1
    """Its verified height."""
    queues: list[EgressQueue] = field(default_factory=list)
    """What it has to send."""
    fed: list[int] = field(default_factory=list)
    """Every block number it received, in order."""
    reachable: bool = True
    """False makes every call fail as an unreachable worker would."""
    pubkey: bytes = bytes(32)
    """Its identity key, as ``/info`` reports it."""

    def _check(self) -> None:
        if not self.reachable:
            raise SdkError(SdkErrorCode.CONNECTION_FAILED, "the fake worker is down")

    async def info(self) -> WorkerStatus:
        """Its key and height."""
        self._check()
        answer = {"pubkey": _hex(self.pubkey), "synced_height": self.height, "is_behind": False}
        return WorkerStatus.from_json(answer)

    async def synced_height(self) -> int:
        """Its height."""
        return (await self.info()).synced_height

    async def registration(self, operator: bytes | None) -> Registration:
        """Fakes cannot attest."""
        raise SdkError(SdkErrorCode.RPC_ERROR, "the fake worker cannot attest")

    async def endpoint(self) -> SignedEndpoint:
        """Fakes have no identity."""
        raise SdkError(SdkErrorCode.RPC_ERROR, "the fake worker has no identity")

    async def sync(self, blocks: list[dict[str, Any]]) -> SyncOutcome:
        """Import the blocks that continue its height."""
        self._check()
        imported = 0
        for block in blocks:
            if block["number"] == self.height + 1:
                self.height += 1
                self.fed.append(block["number"])
                imported += 1
        return SyncOutcome(imported, self.height, None)

    async def egress(self) -> list[EgressQueue]:
        """What it has to send."""
        self._check()
        return list(self.queues)
