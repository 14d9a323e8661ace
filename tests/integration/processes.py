"""Run real khala processes on loopback for integration tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

KHALA = str(Path(sys.executable).parent / "khala")
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rpc(port: int, method: str, *params: Any) -> Any:
    body = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback test node
        return json.loads(response.read())["result"]


def start_node(base_path: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    log = (base_path.parent / f"node-{port}.log").open("ab")
    process = subprocess.Popen(
        [KHALA, "node", "--dev", "--base-path", str(base_path), "--rpc-port", str(port), *extra],
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"node exited with {process.returncode}; see {log.name}")
        try:
            rpc(port, "system_name")
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("node did not start in time")


@contextmanager
def node(base_path: Path, *extra: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    process = start_node(base_path, port, *extra)
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KHALA, *args], capture_output=True, text=True, timeout=120, check=False, env={**os.environ}
    )
