"""Fixtures for the contract host: an engine, a world, the probe contract and real ink! builds."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import wasmtime

from khala.contracts.abi import InkMetadata
from khala.contracts.engine import WasmEngine
from khala.contracts.execution import DepositPrices, Env, ExecOutcome, Execution
from khala.contracts.extension import ChainExtension
from khala.contracts.world import MemoryWorld

ALICE = b"\xaa" * 32
BOB = b"\xbb" * 32
CLUSTER = b"\xc1" * 32
GAS = 50_000_000
PROBE = Path(__file__).with_name("probe.wat")


@pytest.fixture(scope="session")
def engine() -> WasmEngine:
    """One engine for the session, as a worker has one."""
    return WasmEngine()


@dataclass
class Host:
    """A world with uploaded code and helpers to run executions against it."""

    engine: WasmEngine
    world: MemoryWorld = field(default_factory=MemoryWorld)
    prices: DepositPrices = field(default_factory=DepositPrices)
    extension: ChainExtension | None = None

    def upload(self, wasm: bytes) -> bytes:
        """Check and store code; return its hash."""
        code_hash = self.engine.check_code(wasm)
        self.world.codes[code_hash] = wasm
        return code_hash

    def env(self, origin: bytes = ALICE, **changes: object) -> Env:
        """The environment of a command by ``origin``."""
        base = Env(
            origin=origin,
            cluster=CLUSTER,
            block_number=7,
            now_ms=1_700_000_000_000,
            prices=self.prices,
            extension=self.extension,
        )
        return replace(base, **changes)  # type: ignore[arg-type]

    def execution(
        self,
        origin: bytes = ALICE,
        *,
        gas: int = GAS,
        deposit_limit: int | None = None,
        **env: object,
    ) -> Execution:
        """A fresh execution."""
        return Execution(
            self.engine,
            self.world,
            self.env(origin, **env),
            gas_limit=gas,
            deposit_limit=deposit_limit,
        )

    def instantiate(
        self,
        code_hash: bytes,
        data: bytes,
        salt: bytes = b"",
        *,
        origin: bytes = ALICE,
        value: int = 0,
        **options: object,
    ) -> ExecOutcome:
        """Instantiate and return the outcome."""
        return self.execution(origin, **options).instantiate(code_hash, data, salt, value)  # type: ignore[arg-type]

    def call(
        self,
        address: bytes,
        data: bytes,
        *,
        origin: bytes = ALICE,
        value: int = 0,
        **options: object,
    ) -> ExecOutcome:
        """Call and return the outcome."""
        return self.execution(origin, **options).call(address, data, value)  # type: ignore[arg-type]


@pytest.fixture
def host(engine: WasmEngine) -> Host:
    """An empty world on the shared engine."""
    return Host(engine)


@pytest.fixture(scope="session")
def probe_wasm() -> bytes:
    """The probe contract compiled from WAT."""
    return wasmtime.wat2wasm(PROBE.read_text())


@pytest.fixture
def probe(host: Host, probe_wasm: bytes) -> bytes:
    """The probe deployed by Alice (its constructor just returns); its address."""
    outcome = host.instantiate(host.upload(probe_wasm), b"\x00", b"probe")
    assert outcome.address is not None
    return outcome.address


def ink(shared: Path, name: str) -> tuple[bytes, InkMetadata]:
    """A real ink! build from the shared vectors: its wasm and metadata."""
    folder = shared / "ink-contracts"
    return (folder / f"{name}.wasm").read_bytes(), InkMetadata.load(folder / f"{name}.json")
