"""Confidential contracts from Python: typed queries and commands by a contract's ink! metadata.

::

    flipper = ContractInstance(client, metadata, address, signer=alice)
    flipper.query.get()            # an encrypted, signed query to one of the cluster's workers
    flipper.tx.flip()              # an encrypted command on chain (waits for finality)

Queries go to a worker of the contract's cluster (its public endpoint from the chain, or the
``worker`` URL given); they are sealed to the worker's ECDH key *as registered on chain* and
the answer must be signed by that worker's identity, so a man in the middle can neither read
nor forge it. Commands are sealed to the contract's ECDH key the gatekeepers published.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from khala.contracts.abi import InkMetadata, MessageSpec
from khala.offchain.contract_keys import seal_command
from khala.offchain.query import (
    Certificate,
    QueryBody,
    QueryError,
    open_answer,
    seal_query,
    sign_query,
)
from khala.primitives.crypto import Keypair
from khala.primitives.crypto.envelope import EPHEMERAL_ENTROPY_LENGTH, x25519_public_key
from khala.primitives.scale import encode
from khala.primitives.scale.containers import Err
from khala.runtime.modules.phat import state as pst
from khala.runtime.modules.phat.calls import PushContractMessage
from khala.runtime.modules.phat.payloads import CommandBody
from khala.runtime.modules.phat.types import ContractInfo, PublicKeys
from khala.runtime.modules.registry.state import ENDPOINTS
from khala.sdk.client import Client, Wait
from khala.sdk.errors import SdkError, SdkErrorCode
from khala.sdk.mining import read
from khala.sdk.types import Receipt

DEFAULT_GAS_LIMIT = 10_000_000_000
"""Gas a command may use unless told otherwise (a flipper call uses about 10⁴)."""
QUERY_TIMEOUT_S = 15.0
"""How long to wait for a worker's answer (its own deadline is 10 s)."""


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A decoded query answer."""

    value: Any
    """The message's return value (``Ok`` unwrapped from ink!'s ``MessageResult``)."""
    output: Any
    """The decoded output as the metadata types it."""
    reverted: bool
    """Whether the contract returned with the revert flag."""
    gas_consumed: int
    """Gas the query used."""
    debug_message: str
    """The contract's debug output."""
    worker: bytes
    """The worker that answered (its signature was checked)."""


class _Messages:
    """``instance.query.<message>(...)`` / ``instance.tx.<message>(...)``."""

    def __init__(self, instance: ContractInstance, kind: str) -> None:
        self._instance = instance
        self._kind = kind

    def __getattr__(self, name: str) -> Callable[..., Any]:
        spec = self._instance.metadata.message(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            options = {k: kwargs.pop(k) for k in list(kwargs) if k in _OPTIONS[self._kind]}
            values: Any = kwargs if kwargs else list(args)
            if self._kind == "query":
                return self._instance.call_query(spec, values, **options)
            return self._instance.call_tx(spec, values, **options)

        return call


_OPTIONS = {
    "query": {"origin", "certificate", "value"},
    "tx": {"signer", "value", "gas_limit", "storage_deposit_limit", "deposit", "wait"},
}


class ContractInstance:
    """A deployed contract, typed by its metadata."""

    def __init__(
        self,
        client: Client,
        metadata: InkMetadata,
        address: bytes,
        *,
        signer: Keypair | None = None,
        worker: str | None = None,
        clock: Callable[[], float] = time.time,
        entropy: Callable[[int], bytes] = os.urandom,
    ) -> None:
        """Bind ``metadata`` to the contract at ``address`` on ``client``'s chain."""
        self.client = client
        self.metadata = metadata
        self.address = address
        self.signer = signer
        self.worker_url = worker
        self.clock = clock
        self.entropy = entropy
        self.query = _Messages(self, "query")
        """Queries by message name."""
        self.tx = _Messages(self, "tx")
        """Commands by message name."""
        self._chosen: tuple[str, bytes, bytes] | None = None

    def info(self) -> ContractInfo:
        """The contract's on-chain record.

        Raises:
            SdkError: ``sdk.not_found`` when no contract has this address.
        """
        info: ContractInfo | None = read(self.client, pst.CONTRACTS, self.address)
        if info is None:
            raise SdkError(SdkErrorCode.NOT_FOUND, f"no contract 0x{self.address.hex()} on chain")
        return info

    def keys(self) -> PublicKeys:
        """The contract's published keys.

        Raises:
            SdkError: ``sdk.not_found`` until the gatekeepers publish them.
        """
        keys: PublicKeys | None = read(self.client, pst.CONTRACT_KEYS, self.address)
        if keys is None:
            raise SdkError(
                SdkErrorCode.NOT_FOUND,
                "the contract's key is not published yet (the gatekeepers publish it a few "
                "blocks after instantiation)",
            )
        return keys

    def call_tx(
        self,
        spec: MessageSpec,
        args: Any,
        *,
        signer: Keypair | None = None,
        value: int = 0,
        gas_limit: int = DEFAULT_GAS_LIMIT,
        storage_deposit_limit: int | None = None,
        deposit: int = 0,
        wait: Wait = "finalized",
    ) -> Receipt:
        """Send ``spec(args)`` as an encrypted command."""
        pair = signer or self.signer
        if pair is None:
            raise SdkError(SdkErrorCode.BAD_RESPONSE, "a command needs a signer")
        body = CommandBody(
            self.metadata.encode_call(spec, args),
            value,
            gas_limit,
            storage_deposit_limit,
            self.entropy(32),
        )
        sealed = seal_command(
            bytes(self.keys().ecdh),
            encode(body),
            self.entropy(EPHEMERAL_ENTROPY_LENGTH),
            self.address,
        )
        call = PushContractMessage(self.address, sealed, deposit)
        return self.client.submit(self.client.sign(pair, call), wait=wait)

    def call_query(
        self,
        spec: MessageSpec,
        args: Any,
        *,
        origin: Keypair | None = None,
        certificate: Certificate | None = None,
        value: int = 0,
    ) -> QueryResult:
        """Run ``spec(args)`` as an encrypted query on a worker of the contract's cluster.

        ``origin`` signs (the instance's signer by default); with a ``certificate`` it is the
        session key the certificate names.

        Raises:
            SdkError: ``sdk.connection_failed``, ``sdk.rpc_error`` (the worker refused or the
                contract failed, with its code), ``sdk.bad_response`` (an answer that does not
                open or is not signed by the worker).
        """
        pair = origin or self.signer
        if pair is None:
            raise SdkError(SdkErrorCode.BAD_RESPONSE, "a query needs a signing key")
        if self._chosen is None:  # four chain reads: done once, until the worker fails us
            self._chosen = self._worker()
        url, worker, ecdh = self._chosen
        reply_secret = self.entropy(32)
        account = pair.public_key if certificate is None else bytes(certificate.account)
        body = QueryBody(
            self.address,
            self.metadata.encode_call(spec, args),
            value,
            account,
            self.entropy(32),
            int(self.clock() * 1000),
            x25519_public_key(reply_secret),
        )
        sealed = seal_query(
            ecdh,
            worker,
            sign_query(body, pair, certificate),
            self.entropy(EPHEMERAL_ENTROPY_LENGTH),
        )
        try:
            answer_hex = _post_query(url, sealed)
        except SdkError as error:
            if error.code is SdkErrorCode.CONNECTION_FAILED:
                self._chosen = None  # ask the chain again next time: the worker may have moved
            raise
        try:
            answer = open_answer(reply_secret, answer_hex, bytes(body.nonce), worker)
        except QueryError as error:
            raise SdkError(SdkErrorCode.BAD_RESPONSE, error.message) from None
        if isinstance(answer.result, Err):
            failure = answer.result.error
            raise SdkError(SdkErrorCode.RPC_ERROR, f"{failure.code}: {failure.message}")
        output = answer.result.value
        decoded = self.metadata.decode_return(spec, output.data)
        value_out = decoded.get("Ok") if isinstance(decoded, dict) and "Ok" in decoded else decoded
        return QueryResult(
            value_out, decoded, output.reverted, output.gas_consumed, output.debug_message, worker
        )

    def _worker(self) -> tuple[str, bytes, bytes]:
        """(URL, identity, ECDH key) of a worker of the contract's cluster, from the chain."""
        cluster = bytes(self.info().cluster)
        workers = [bytes(w) for w in read(self.client, pst.CLUSTER_WORKERS, cluster)]
        for worker in workers:
            endpoint = read(self.client, ENDPOINTS, worker)
            url = self.worker_url or (None if endpoint is None else endpoint.endpoint)
            if url is None:
                continue
            if self.worker_url is not None and not _serves(self.worker_url, worker):
                continue
            registered = self.client.worker(worker)
            if registered is not None:
                return url, worker, bytes(registered.ecdh_pubkey)
        raise SdkError(
            SdkErrorCode.NOT_FOUND,
            "no worker of the contract's cluster has a published endpoint"
            + ("" if self.worker_url is None else f" matching {self.worker_url}"),
        )


def _serves(url: str, worker: bytes) -> bool:
    """Whether the worker at ``url`` is ``worker`` (its ``/info`` names its identity)."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/info", timeout=QUERY_TIMEOUT_S) as answer:  # noqa: S310 - a user-given http(s) URL
            info = json.loads(answer.read())
    except (OSError, ValueError):
        return False
    return isinstance(info, dict) and info.get("pubkey") == "0x" + worker.hex()


def _post_query(url: str, envelope: bytes) -> bytes:
    request = urllib.request.Request(  # noqa: S310 - a worker's http(s) endpoint
        url.rstrip("/") + "/query",
        data=json.dumps({"envelope": "0x" + envelope.hex()}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=QUERY_TIMEOUT_S) as answer:  # noqa: S310
            document = json.loads(answer.read())
    except urllib.error.HTTPError as error:
        try:
            refusal = json.loads(error.read()).get("error", {})
        except (ValueError, AttributeError):
            refusal = {}
        raise SdkError(
            SdkErrorCode.RPC_ERROR,
            f"the worker refused the query: {refusal.get('code', error.code)} "
            f"{refusal.get('message', '')}".strip(),
        ) from None
    except (OSError, ValueError) as error:
        raise SdkError(
            SdkErrorCode.CONNECTION_FAILED, f"the worker did not answer: {error}"
        ) from None
    text = document.get("answer") if isinstance(document, dict) else None
    if not isinstance(text, str) or not text.startswith("0x"):
        raise SdkError(SdkErrorCode.BAD_RESPONSE, "the worker's answer has no sealed answer")
    return bytes.fromhex(text[2:])
