"""Registry rules: each registration rule, endpoints and governance, on an in-memory chain."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from khala.attestation.dev_pki import load_or_create
from khala.attestation.simulated_quote import simulated_measurement
from khala.attestation.types import SgxMeasurement
from khala.enclave.simulated import SimulatedEnclave
from khala.primitives.crypto import KeyScheme, SignedContentType, keypair_from_seed, sign_content
from khala.primitives.scale import Ok
from khala.primitives.trie import Layout, MemoryNodeStore, Trie
from khala.runtime.dispatch import module_error_code
from khala.runtime.executive import Executive
from khala.runtime.genesis import GenesisConfig, build_genesis_storage, genesis_block_header
from khala.runtime.modules.authorship.state import Authority
from khala.runtime.modules.registry import state as registry_state
from khala.runtime.modules.registry.calls import (
    AddMeasurement,
    RegisterGatekeeper,
    RegisterWorker,
    RemoveMeasurement,
    UpdateWorkerEndpoint,
    endpoint_payload,
)
from khala.runtime.modules.registry.events import EndpointUpdated, WorkerAdded, WorkerUpdated
from khala.runtime.modules.registry.registration import report_data_for
from khala.runtime.modules.registry.types import SgxDcapReport, WorkerRegistrationInfo
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.sudo.events import Sudid
from khala.runtime.modules.system.events import ExtrinsicFailed
from khala.runtime.types import ModuleDispatchError
from tests.runtime.harness import PHA, Harness, ed

ALICE, RELAYER = ed("Alice"), ed("Bob")
WORKER = keypair_from_seed(KeyScheme.SR25519, b"\x05" * 32)


class Chain:
    def __init__(self, tmp_path: Path, *, trust_dev_root: bool = True, **genesis: Any) -> None:
        pki = load_or_create(tmp_path / "pki")
        self.harness = Harness(
            {ALICE.public_key: 1000 * PHA, RELAYER.public_key: 10_000 * PHA}, sudo=ALICE.public_key
        )
        roots = (pki.root_der,) if trust_dev_root else ()
        config_fields: dict[str, Any] = {
            "trusted_roots": roots,
            "measurements": (simulated_measurement(),),
            **genesis,
        }
        self._rebuild(config_fields)
        self.enclave = SimulatedEnclave(
            tmp_path / "machine.key", tmp_path / "pki", lambda: self.now_secs
        )
        self.nonce = {RELAYER.public_key: 0, ALICE.public_key: 0}
        self.counter = 0

    def _rebuild(self, fields: dict[str, Any]) -> None:
        harness = self.harness
        config = GenesisConfig(
            harness.preset,
            tuple(harness.endowed.items()),
            (Authority(ALICE.public_key, ALICE.public_key),),
            ALICE.public_key,
        )
        storage = build_genesis_storage(replace(config, **fields))
        harness.head = genesis_block_header(storage)
        harness.genesis_hash = harness.head.hash()
        harness.trie = Trie.from_items(storage.items(), Layout.V1, MemoryNodeStore())
        harness.trie.commit()
        harness.executive = Executive(harness.preset, harness.genesis_hash)

    @property
    def now_secs(self) -> int:
        return (self.harness.now_ms + self.harness.preset.block_time_ms) // 1000

    def info(self, **changes: Any) -> WorkerRegistrationInfo:
        fields: dict[str, Any] = {
            "version": 1,
            "machine_id": b"machine-1",
            "pubkey": WORKER.public_key,
            "ecdh_pubkey": b"\x09" * 32,
            "genesis_hash": self.harness.genesis_hash,
            "features": [4],
            "operator": RELAYER.public_key,
        }
        fields.update(changes)
        return WorkerRegistrationInfo(**fields)

    def attestation(
        self, info: WorkerRegistrationInfo, *, request_time: int | None = None
    ) -> SgxDcapReport:
        self.counter += 1
        nonce = self.counter.to_bytes(24, "little")
        data = report_data_for(info, self.now_secs if request_time is None else request_time, nonce)
        quote = self.enclave.quote(data)
        return SgxDcapReport(quote.quote, (quote.collateral_json or "").encode())

    def submit(self, call: Any, signer: Any = RELAYER) -> tuple[str | None, list[Any]]:
        raw = self.harness.sign(signer, call, nonce=self.nonce[signer.public_key])
        self.nonce[signer.public_key] += 1
        self.harness.block([raw])
        events = self.harness.events()
        for event in events:
            if isinstance(event, ExtrinsicFailed):
                error = event.dispatch_error
                if isinstance(error, ModuleDispatchError):
                    return module_error_code(error.error.index, error.error.error[0]), events
                return type(error).__name__, events
        return None, events

    def register(
        self, info: WorkerRegistrationInfo, attestation: SgxDcapReport
    ) -> tuple[str | None, list[Any]]:
        return self.submit(RegisterWorker(info, attestation))

    def sudo(self, inner: Any) -> list[Any]:
        return self.submit(Sudo(inner), signer=ALICE)[1]


@pytest.fixture
def chain(tmp_path: Path) -> Chain:
    return Chain(tmp_path)


def test_registration_stores_the_worker_and_refresh_updates_it(chain: Chain) -> None:
    """A valid registration adds the worker with confidence 1; a fresh quote updates it."""
    info = chain.info()
    error, events = chain.register(info, chain.attestation(info))
    assert error is None
    assert any(isinstance(event, WorkerAdded) and event.confidence_level == 1 for event in events)
    stored = registry_state.WORKERS.get(chain.harness.state(), WORKER.public_key)
    assert (
        stored is not None
        and stored.operator == RELAYER.public_key
        and stored.confidence_level == 1
    )
    error, events = chain.register(info, chain.attestation(info))
    assert error is None and any(isinstance(event, WorkerUpdated) for event in events)


def test_replayed_attestation_is_refused(chain: Chain) -> None:
    """The same quote (measurement and REPORTDATA) cannot register twice."""
    info = chain.info()
    attestation = chain.attestation(info)
    assert chain.register(info, attestation)[0] is None
    assert chain.register(info, attestation)[0] == "registry.attestation_replayed"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("genesis", "registry.genesis_mismatch"),
        ("binding", "registry.report_data_mismatch"),
        ("old", "registry.quote_too_old"),
        ("future", "registry.quote_from_future"),
        ("expired", "registry.collateral_expired"),
        ("tampered", "registry.invalid_signature"),
    ],
)
def test_each_registration_rule(chain: Chain, case: str, expected: str) -> None:
    """Every rule rejects with its own typed code and leaves no worker behind."""
    info = chain.info()
    attestation = chain.attestation(info)
    if case == "genesis":
        info = chain.info(genesis_hash=b"\x01" * 32)
        attestation = chain.attestation(info)
    elif case == "binding":
        attestation = chain.attestation(chain.info(machine_id=b"another"))
    elif case == "old":
        attestation = chain.attestation(info, request_time=chain.now_secs - 3 * 3600)
    elif case == "future":
        attestation = chain.attestation(info, request_time=chain.now_secs + 600)
    elif case == "expired":
        stale = chain.enclave._pki.collateral_json(chain.now_secs - 40 * 86_400)
        attestation = SgxDcapReport(attestation.quote, stale.encode())
    elif case == "tampered":
        quote = bytearray(attestation.quote)
        quote[48 + 64] ^= 1
        attestation = SgxDcapReport(bytes(quote), attestation.collateral)
    assert chain.register(info, attestation)[0] == expected
    assert registry_state.WORKERS.get(chain.harness.state(), WORKER.public_key) is None


def test_untrusted_root_and_removed_measurement(tmp_path: Path) -> None:
    """Without the dev root the quote is untrusted; without the measurement it is not allowed."""
    untrusting = Chain(tmp_path, trust_dev_root=False)
    info = untrusting.info()
    assert untrusting.register(info, untrusting.attestation(info))[0] == "registry.untrusted_root"
    chain = Chain(tmp_path / "second")
    events = chain.sudo(RemoveMeasurement(simulated_measurement()))
    assert Sudid(Ok(())) in events  # the removal itself succeeded
    info = chain.info()
    assert chain.register(info, chain.attestation(info))[0] == "registry.measurement_not_allowed"


def test_endpoint_updates(chain: Chain) -> None:
    """Endpoints need a registered worker, its signature, and a signature younger than 4 hours."""

    def update(endpoint: str, signing_time: int, signer: Any = WORKER) -> str | None:
        signature = sign_content(
            signer,
            SignedContentType.ENDPOINT_INFO,
            endpoint_payload(WORKER.public_key, endpoint, signing_time),
        )
        return chain.submit(
            UpdateWorkerEndpoint(WORKER.public_key, endpoint, signing_time, signature)
        )[0]

    assert update("http://w:8000", chain.now_secs) == "registry.worker_not_found"
    info = chain.info()
    chain.register(info, chain.attestation(info))
    assert update("http://w:8000", chain.now_secs - 5 * 3600) == "registry.endpoint_expired"
    other = keypair_from_seed(KeyScheme.SR25519, b"\x06" * 32)
    assert (
        update("http://w:8000", chain.now_secs, signer=other) == "registry.bad_endpoint_signature"
    )
    assert update("http://w:8000", chain.now_secs) is None
    assert any(isinstance(event, EndpointUpdated) for event in chain.harness.events())


def test_governance_is_root_only_and_checked(chain: Chain) -> None:
    """Governance calls need root; gatekeepers must be registered; duplicates are refused."""
    measurement = SgxMeasurement(b"\x01" * 32, b"\x02" * 32, 1, 1)
    assert chain.submit(AddMeasurement(measurement))[0] == "BadOriginError"
    chain.sudo(AddMeasurement(measurement))
    assert measurement in registry_state.MEASUREMENTS.get(chain.harness.state())
    chain.sudo(RegisterGatekeeper(WORKER.public_key))
    assert registry_state.GATEKEEPERS.get(chain.harness.state()) == []
    info = chain.info()
    chain.register(info, chain.attestation(info))
    chain.sudo(RegisterGatekeeper(WORKER.public_key))
    assert registry_state.GATEKEEPERS.get(chain.harness.state()) == [WORKER.public_key]
