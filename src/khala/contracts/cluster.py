"""A cluster's deterministic replay: code, deposits, instantiations and commands in block order.

Every worker of a cluster runs one :class:`ClusterRuntime` over the cluster's operations as the
chain orders them (``PhatContracts`` messages), so all of them hold the same
:class:`~khala.contracts.cluster_state.ClusterState` (compare :meth:`ClusterRuntime.root`). What
the cluster says back to the chain is signed deterministically (ed25519) with keys derived
from the cluster key and numbered from counters kept in the state, so every worker produces
the same messages and the first copy relayed lands:

* an :class:`~khala.runtime.modules.phat.payloads.InstantiationReport` per constructor, as the
  cluster (``Cluster`` origin);
* a :class:`~khala.runtime.modules.phat.payloads.ContractEventPayload` per event a command's
  execution emitted, as the contract (``Contract`` origin).

Gas is paid in the cluster: the sender must hold ``gas_limit × gas_price`` before a
constructor or command runs and pays ``gas_consumed × gas_price`` to the cluster's account,
whether the execution returned, reverted or failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from khala.contracts.cluster_state import ClusterState
from khala.contracts.engine import WasmEngine
from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.execution import DepositPrices, Env, ExecOutcome, Execution
from khala.contracts.frame import ContractEvent
from khala.contracts.pink import HttpRequest, HttpResponse, PinkBackend, PinkExtension
from khala.contracts.world import Overlay
from khala.offchain.contract_keys import DerivedKey, contract_key, open_command
from khala.primitives.crypto import Keypair
from khala.primitives.crypto.errors import EnvelopeError
from khala.primitives.scale import ScaleError, codec_of, encode
from khala.runtime.modules.mq.calls import signed_payload
from khala.runtime.modules.mq.types import (
    ClusterOrigin,
    ContractOrigin,
    Message,
    MessageOrigin,
    SignedMessage,
)
from khala.runtime.modules.phat import payloads
from khala.runtime.modules.phat.constants import CONTRACT_EVENT_TOPIC, INSTANTIATED_TOPIC
from khala.runtime.modules.phat.ids import cluster_account
from khala.runtime.modules.phat.types import ClusterInfo

QUERY_GAS_LIMIT = 10**12
"""Gas a query may burn; its wall-clock deadline is what really bounds it."""
_BODY = codec_of(payloads.CommandBody)


@dataclass(frozen=True, slots=True)
class Applied:
    """What one operation did, for the worker's log."""

    kind: str
    """The operation's name."""
    ok: bool
    """Whether it did what it asked (a refused command or failed constructor is not ok)."""
    detail: str
    """An error code and message, or what was created."""
    messages: tuple[SignedMessage, ...]
    """Signed messages for the chain."""


class _KeyedBackend:
    """The worker's pink backend, with contract secrets from the cluster key."""

    def __init__(self, inner: PinkBackend, key: DerivedKey) -> None:
        self.inner = inner
        self.key = key

    def http_request(self, request: HttpRequest, timeout_s: float) -> HttpResponse:
        return self.inner.http_request(request, timeout_s)

    def contract_secret(self, contract: bytes) -> bytes:
        return contract_key(self.key, contract).sr25519_secret

    def cache_get(self, contract: bytes, key: bytes) -> bytes | None:
        return self.inner.cache_get(contract, key)

    def cache_set(self, contract: bytes, key: bytes, value: bytes | None) -> bool:
        return self.inner.cache_set(contract, key, value)

    def log(self, contract: bytes, level: int, message: str) -> None:
        self.inner.log(contract, level, message)

    def random(self, length: int) -> bytes:
        return self.inner.random(length)

    def now_ms(self) -> int:
        return self.inner.now_ms()

    def worker_pubkey(self) -> bytes:
        return self.inner.worker_pubkey()


class ClusterRuntime:
    """One cluster's state and the replay of its operations."""

    def __init__(
        self,
        engine: WasmEngine,
        cluster: bytes,
        key: DerivedKey,
        info: ClusterInfo,
        backend: PinkBackend,
        state: ClusterState | None = None,
    ) -> None:
        """Replay for ``cluster`` with its key; continue from ``state`` if given."""
        self.engine = engine
        """The wasm engine."""
        self.cluster = cluster
        """The cluster id."""
        self.key = key
        """The cluster key."""
        self.info = info
        """Its settings (gas price, deposit prices)."""
        self.state = state or ClusterState()
        """The replicated state."""
        self.extension = PinkExtension(_KeyedBackend(backend, key))
        """Pink, as contracts in this cluster see it."""

    def root(self) -> bytes:
        """The cluster state's root."""
        return self.state.root()

    def apply(self, operation: payloads.ClusterOperation, block: int, now_ms: int) -> Applied:
        """Apply one operation addressed to this cluster."""
        if isinstance(operation, payloads.CodeUploaded):
            return self._upload(operation)
        if isinstance(operation, payloads.Deposited):
            balance = self.state.balance(operation.account)
            self.state.set_balance(operation.account, balance + operation.amount)
            return Applied("deposit", True, f"{operation.amount}", ())
        if isinstance(operation, payloads.InstantiateRequest):
            return self._instantiate(operation, block, now_ms)
        if isinstance(operation, payloads.Command):
            return self._command(operation, block, now_ms)
        return Applied(type(operation).__name__, True, "", ())

    def query(
        self,
        contract: bytes,
        origin: bytes,
        data: bytes,
        *,
        block: int,
        now_ms: int,
        deadline_s: float,
        value: int = 0,
        state: ClusterState | None = None,
    ) -> ExecOutcome:
        """Run a message read-only against the current state (or ``state``); nothing is kept.

        Raises:
            ContractError: The execution's failure (``contracts.deadline`` past the deadline).
        """
        env = self._env(origin, block, now_ms, query=True, deadline_s=deadline_s)
        base = self.state if state is None else state
        execution = Execution(self.engine, Overlay(base), env, gas_limit=QUERY_GAS_LIMIT)
        return execution.call(contract, data, value)

    def _env(
        self, origin: bytes, block: int, now_ms: int, *, query: bool, deadline_s: float | None
    ) -> Env:
        prices = DepositPrices(self.info.deposit_per_item, self.info.deposit_per_byte)
        return Env(
            origin=origin,
            cluster=self.cluster,
            block_number=block,
            now_ms=now_ms,
            prices=prices,
            debug=query,
            deadline_s=deadline_s,
            extension=self.extension,
            in_query=query,
        )

    def _upload(self, operation: payloads.CodeUploaded) -> Applied:
        try:
            code_hash = self.engine.check_code(operation.code)
        except ContractError as error:
            return Applied("upload", False, f"{error.code.value}: {error.message}", ())
        self.state.put_code(code_hash, operation.code)
        return Applied("upload", True, f"0x{code_hash.hex()}", ())

    def _charge_up_front(self, origin: bytes, gas_limit: int) -> ContractError | None:
        needed = gas_limit * self.info.gas_price
        have = self.state.balance(origin)
        if have < needed:
            return ContractError(
                ContractErrorCode.GAS_FEE_NOT_COVERED,
                f"gas {gas_limit} at {self.info.gas_price} needs {needed} in the cluster; "
                f"the sender has {have} (transfer_to_cluster first)",
            )
        return None

    def _pay_gas(self, origin: bytes, gas: int) -> None:
        fee = min(gas * self.info.gas_price, self.state.balance(origin))
        if fee:
            self.state.set_balance(origin, self.state.balance(origin) - fee)
            treasury = cluster_account(self.cluster)
            self.state.set_balance(treasury, self.state.balance(treasury) + fee)

    def _run(
        self, origin: bytes, gas_limit: int, deposit_limit: int | None, block: int, now_ms: int
    ) -> Execution:
        env = self._env(origin, block, now_ms, query=False, deadline_s=None)
        return Execution(
            self.engine, self.state, env, gas_limit=gas_limit, deposit_limit=deposit_limit
        )

    def _instantiate(
        self, operation: payloads.InstantiateRequest, block: int, now_ms: int
    ) -> Applied:
        origin = bytes(operation.deployer)
        refusal = self._charge_up_front(origin, operation.gas_limit)
        outcome: ExecOutcome | None = None
        if refusal is None:
            execution = self._run(
                origin, operation.gas_limit, operation.storage_deposit_limit, block, now_ms
            )
            try:
                outcome = execution.instantiate(
                    operation.code_hash, operation.data, operation.salt, operation.transfer
                )
            except ContractError as error:
                refusal = error
            self._pay_gas(origin, execution.gas_limit - execution.gas_left())
        if outcome is not None and outcome.reverted:
            refusal = ContractError(
                ContractErrorCode.REVERTED, f"the constructor reverted with 0x{outcome.data.hex()}"
            )
        ok = refusal is None
        reason = "" if refusal is None else f"{refusal.code.value}: {refusal.message}"
        report = payloads.InstantiationReport(operation.contract, ok, reason)
        messages = [self._sign_as_cluster(INSTANTIATED_TOPIC, encode(report))]
        if outcome is not None and ok:
            messages += self._events(outcome.events)
        return Applied(
            "instantiate", ok, reason or f"0x{bytes(operation.contract).hex()}", tuple(messages)
        )

    def _command(self, operation: payloads.Command, block: int, now_ms: int) -> Applied:
        contract = bytes(operation.contract)
        try:
            body = _BODY.decode(
                open_command(contract_key(self.key, contract), operation.payload, contract)
            )
        except (EnvelopeError, ScaleError) as error:
            return Applied("command", False, f"unreadable command: {error}", ())
        origin = bytes(operation.sender)
        refusal = self._charge_up_front(origin, body.gas_limit)
        if refusal is not None:
            return Applied("command", False, f"{refusal.code.value}: {refusal.message}", ())
        execution = self._run(origin, body.gas_limit, body.storage_deposit_limit, block, now_ms)
        try:
            outcome = execution.call(contract, body.data, body.value)
        except ContractError as error:
            self._pay_gas(origin, execution.gas_limit - execution.gas_left())
            return Applied("command", False, f"{error.code.value}: {error.message}", ())
        self._pay_gas(origin, outcome.gas_consumed)
        detail = "reverted" if outcome.reverted else "returned"
        return Applied("command", not outcome.reverted, detail, tuple(self._events(outcome.events)))

    def _events(self, emitted: tuple[ContractEvent, ...]) -> list[SignedMessage]:
        messages = []
        for event in emitted:
            payload = payloads.ContractEventPayload(list(event.topics), event.data)
            key = contract_key(self.key, event.contract).signing
            messages.append(
                self._sign(
                    ContractOrigin(event.contract), CONTRACT_EVENT_TOPIC, encode(payload), key
                )
            )
        return messages

    def _sign_as_cluster(self, topic: bytes, payload: bytes) -> SignedMessage:
        return self._sign(ClusterOrigin(self.cluster), topic, payload, self.key.signing)

    def _sign(
        self, origin: MessageOrigin, topic: bytes, payload: bytes, key: Keypair
    ) -> SignedMessage:
        message = Message(origin, topic, payload)
        sequence = self.state.take_sequence(encode(origin))
        return SignedMessage(message, sequence, key.sign(signed_payload(message, sequence)))
