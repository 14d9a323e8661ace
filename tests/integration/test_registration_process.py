"""Node, worker and relayer as real processes: registration, then refusal after governance."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from khala.attestation.simulated_quote import simulated_measurement
from khala.primitives.crypto import keypair_from_uri
from khala.primitives.scale import codec_of
from khala.primitives.ss58 import ss58_encode
from khala.runtime.modules.registry.calls import RemoveMeasurement
from khala.runtime.modules.registry.types import WorkerRegistrationInfo
from khala.runtime.modules.sudo.calls import Sudo
from khala.sdk import Client
from tests.integration.processes import KHALA, cli, free_port, node, rpc

ALICE_ADDRESS = "0x" + keypair_from_uri("//Alice").public_key.hex()
"""The workers' operator."""


def _start_worker(tmp_path: Path, node_port: int, pki: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start a worker operated by //Alice; returns it and its control API port."""
    port, control = free_port(), free_port()
    (tmp_path / "public.port").write_text(str(port))
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
            "--control-port",
            str(control),
            "--operator",
            ALICE_ADDRESS,
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
                return process, control
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
            assert shown["operator"] == ss58_encode(keypair_from_uri("//Alice").public_key)
            assert shown["gatekeeper"] is False
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


def _info_port(tmp_path: Path) -> int:
    return int((tmp_path / "public.port").read_text())


def _get(url: str, token: str | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url)  # noqa: S310 - http on loopback
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, json.loads(body) if body.startswith(b"{") else {}


def test_outsiders_cannot_steer_a_worker(tmp_path: Path) -> None:
    """The public API only informs; the control API signs the worker's own configuration.

    Found by an attacker: an unauthenticated ``GET /registration?operator=<him>`` registered
    someone else's worker to him, and ``GET /endpoint?url=<phishing>`` published his URL.
    """
    pki = tmp_path / "pki"
    with node(tmp_path / "chain", "--dev-pki", str(pki)) as (_, node_port):
        worker, control = _start_worker(tmp_path, node_port, pki)
        try:
            public = _info_port(tmp_path)
            attacker = "0x" + "66" * 32
            status, _ = _get(f"http://127.0.0.1:{public}/registration?operator={attacker}")
            assert status == 404
            status, answer = _get(f"http://127.0.0.1:{control}/registration?operator={attacker}")
            assert (status, answer["error"]["code"]) == (403, "worker.operator_mismatch")
            status, answer = _get(f"http://127.0.0.1:{control}/endpoint?url=http://phish.example")
            assert (status, answer["error"]["code"]) == (403, "worker.endpoint_mismatch")
            status, answer = _get(f"http://127.0.0.1:{control}/registration")
            info = codec_of(WorkerRegistrationInfo).decode(bytes.fromhex(answer["info"][2:]))
            assert status == 200 and "0x" + bytes(info.operator or b"").hex() == ALICE_ADDRESS
        finally:
            worker.terminate()
            worker.wait(timeout=20)
        exposed_control = free_port()
        exposed = subprocess.Popen(
            [
                KHALA, "worker", "--node", f"http://127.0.0.1:{node_port}",
                "--base-path", str(tmp_path / "exposed"), "--dev-pki", str(pki),
                # exposed beyond loopback (requests in this test still go to 127.0.0.1)
                "--port", str(free_port()), "--control-host", "0.0.0.0",  # noqa: S104
                "--control-port", str(exposed_control), "--benchmark-duty", "0.05",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            token_file = tmp_path / "exposed" / "control.token"
            deadline = time.monotonic() + 60
            status = 0
            while status == 0 and time.monotonic() < deadline:
                try:
                    status, answer = _get(f"http://127.0.0.1:{exposed_control}/egress")
                except OSError:
                    time.sleep(0.2)
            assert (status, answer["error"]["code"]) == (401, "worker.unauthorized")
            assert token_file.stat().st_mode & 0o777 == 0o600
            token = token_file.read_text()
            status, _ = _get(f"http://127.0.0.1:{exposed_control}/egress", token)
            assert status == 200
            status, answer = _get(f"http://127.0.0.1:{exposed_control}/registration", token)
            assert (status, answer["error"]["code"]) == (409, "worker.no_operator")
        finally:
            exposed.terminate()
            exposed.wait(timeout=20)
