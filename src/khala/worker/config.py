"""What ``khala worker`` is configured with, and the enclave backend it opens."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from khala.enclave.backend import EnclaveBackend
from khala.enclave.gramine import GramineSgxEnclave
from khala.enclave.simulated import SimulatedEnclave
from khala.worker.runtime import DEFAULT_CHECKPOINT_INTERVAL


class EnclaveKind(StrEnum):
    """``--enclave`` choices."""

    SIMULATED = "simulated"
    """No TEE: dev PKI quotes, machine-key sealing (dev chains only)."""
    GRAMINE = "gramine"
    """Gramine-SGX via /dev/attestation."""


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """Everything ``khala worker`` is configured with."""

    node_url: str
    """The chain node's RPC URL."""
    base_path: Path
    """Where sealed keys (and later checkpoints) live."""
    enclave: EnclaveKind = EnclaveKind.SIMULATED
    """Which enclave backend."""
    port: int = 8000
    """HTTP API port."""
    host: str = "127.0.0.1"
    """HTTP API interface."""
    dev_pki: Path | None = None
    """The dev PKI directory shared with the dev chain (simulated enclave)."""
    machine_id: str = "khala-worker"
    """Operator-chosen machine identifier."""
    checkpoint_interval: int = DEFAULT_CHECKPOINT_INTERVAL
    """Blocks between sealed checkpoints."""
    benchmark_duty: float = 1.0
    """Fraction of each 100 ms the benchmark loop runs (1.0 on a dedicated machine)."""
    gatekeeper: bool = False
    """Also run as a gatekeeper: economics replay, master key, settlements."""
    operator: bytes | None = None
    """The account registrations name as operator (sealed; None keeps the sealed one)."""
    public_url: str | None = None
    """The public API URL published on chain (default ``http://HOST:PORT``)."""
    control_host: str = "127.0.0.1"
    """Control API interface: loopback by default; anything else requires the token."""
    control_port: int | None = None
    """Control API port (default: ``port + 1``)."""
    from_snapshot: str | None = None
    """A snapshot to start from when there is no checkpoint: a file, nodes' RPC URLs
    (comma-separated) or ``node`` (the node at :attr:`node_url`); verified either way. Not for
    gatekeepers, whose economics need every block since genesis."""

    @property
    def control(self) -> tuple[str, int]:
        """The control API's interface and port."""
        return self.control_host, self.port + 1 if self.control_port is None else self.control_port

    @property
    def endpoint(self) -> str:
        """The public URL this worker publishes."""
        return self.public_url or f"http://{self.host}:{self.port}"


def open_backend(config: WorkerConfig, clock: Callable[[], float] = time.time) -> EnclaveBackend:
    """Create the configured enclave backend (the simulated one dates its quotes by ``clock``)."""
    if config.enclave is EnclaveKind.GRAMINE:
        return GramineSgxEnclave()
    pki = config.dev_pki or config.base_path / "dev-pki"
    return SimulatedEnclave(config.base_path / "machine.key", pki, lambda: int(clock()))
