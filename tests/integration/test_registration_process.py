"""Node, worker and relayer as real processes: registration, then refusal after governance."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from khala.attestation.simulated_quote import simulated_measurement
from khala.primitives.crypto import keypair_from_uri
from khala.runtime.modules.registry.calls import RemoveMeasurement
from khala.runtime.modules.sudo.calls import Sudo
from khala.sdk import Client
from tests.integration.processes import KHALA, cli, free_port, node, rpc


def _start_worker(tmp_path: Path, node_port: int, pki: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    log = (tmp_path / "worker.log").open("ab")
    process = subprocess.Popen(
        [
            KHALA,
            "worker",
            "--node",
            f"http://127.0.0.1:{node_port}",
            "--base-path",
            str(tmp_path / "worker"),
            "--dev-pki",
            str(pki),
            "--port",
            str(port),
            "--benchmark-duty",
            "0.05",
        ],
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/info", timeout=5):
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("worker did not start")


def test_worker_registers_and_is_refused_after_measurement_removal(tmp_path: Path) -> None:
    """A relayed worker registers with confidence 1 and is refused once its measurement goes.

    After governance removes the measurement, the next registration is refused with
    registry.measurement_not_allowed.
    """
    pki = tmp_path / "pki"
    with node(tmp_path / "chain", "--dev-pki", str(pki), "--block-time", "0.5") as (_, node_port):
        url = f"http://127.0.0.1:{node_port}"
        worker, worker_port = _start_worker(tmp_path, node_port, pki)
        try:
            relayed = cli(
                "relayer",
                "--node",
                url,
                "--worker",
                f"http://127.0.0.1:{worker_port}",
                "--operator",
                "//Alice",
                "--once",
                "--json",
            )
            assert relayed.returncode == 0, relayed.stdout + relayed.stderr
            listed = json.loads(cli("worker", "list", "--url", url, "--json").stdout)["workers"]
            assert len(listed) == 1 and listed[0]["confidence_level"] == 1
            pubkey = listed[0]["pubkey"]
            shown = json.loads(cli("worker", "show", pubkey, "--url", url, "--json").stdout)
            assert shown["operator"] == "0x" + keypair_from_uri("//Alice").public_key.hex()
            client = Client(url)
            remove = Sudo(RemoveMeasurement(simulated_measurement()))
            assert client.submit(client.sign(keypair_from_uri("//Alice"), remove)).success
            refused = cli(
                "relayer",
                "--node",
                url,
                "--worker",
                f"http://127.0.0.1:{worker_port}",
                "--operator",
                "//Alice",
                "--once",
                "--json",
            )
            assert refused.returncode == 2
            error = json.loads(refused.stdout)["error"]
            assert error["code"] == "relayer.rejected"
            assert "registry.measurement_not_allowed" in error["message"]
            assert rpc(node_port, "system_name") == "khala"
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=20)
