"""docs/mining.md's "From nothing to the first reward", executed as written.

The guide's service blocks start as background processes and its command block runs as one
bash script, in a fresh directory with a fresh HOME. Only the port numbers are swapped for
free ones (and ``KHALA_URL`` points the commands' default node URL at the swapped port), so
the guide stays copy-paste correct: a command that stops working fails this test.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from khala.sdk import Client
from khala.sdk.mining import session_status
from tests.integration.processes import free_port

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "mining.md"
BLOCK = re.compile(r"<!-- guide: (service|commands) -->\n```sh\n(.*?)```", re.DOTALL)
DOC_PORTS = (9944, 8000, 8001, 8010, 8011)
"""The ports the guide names: the node, then each worker's public and control API."""


def _port_pair() -> int:
    """A free port whose successor is free too (a worker's control API is --port + 1)."""
    while True:
        port = free_port()
        try:
            import socket

            with socket.socket() as probe:
                probe.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue


def _blocks() -> tuple[list[str], str]:
    services, commands = [], []
    for kind, body in BLOCK.findall(GUIDE.read_text()):
        (services if kind == "service" else commands).append(body)
    assert len(services) == 4 and len(commands) == 1, "the guide's marked blocks changed"
    return services, commands[0]


def test_the_mining_guide_reaches_a_reward(tmp_path: Path) -> None:
    gk, worker = _port_pair(), _port_pair()
    node = free_port()
    ports = dict(zip(DOC_PORTS, (node, gk, gk + 1, worker, worker + 1), strict=True))

    def swap(text: str) -> str:
        return re.sub(r"\b(9944|8000|8001|8010|8011)\b", lambda m: str(ports[int(m[1])]), text)

    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path / "home"),
        "KHALA_URL": f"http://127.0.0.1:{node}",
    }
    env.pop("KHALA_PASSPHRASE", None)
    services, commands = _blocks()
    processes: list[subprocess.Popen[bytes]] = []
    started = time.monotonic()
    try:
        for index, body in enumerate(services):
            log = (tmp_path / f"service-{index}.log").open("ab")
            processes.append(
                subprocess.Popen(
                    ["bash", "-c", "exec " + swap(body).strip()],
                    cwd=tmp_path,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", swap(commands)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        elapsed = time.monotonic() - started
        logs = "\n".join(
            f"--- service {i}\n" + (tmp_path / f"service-{i}.log").read_text()[-3000:]
            for i in range(len(services))
        )
        assert done.returncode == 0, done.stdout + done.stderr + logs
        assert "start computing succeeded in block #" in done.stdout
        assert "waiting: " in done.stderr  # the waits said what they waited for
        match = re.search(r"gatekeeper (0x[0-9a-f]{64}), worker (0x[0-9a-f]{64})", done.stdout)
        assert match is not None, done.stdout
        status = session_status(Client(env["KHALA_URL"]), bytes.fromhex(match[2][2:]))
        assert status.record is not None and status.record.total_reward > 0
        assert re.search(r"total_reward\s+\d", done.stdout), done.stdout
        print(done.stdout, done.stderr)
        print(f"guide: first reward {elapsed:.0f} s after the node started")
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
