"""Hardening with real processes: two on one base path, or one on a taken port, do not start.

Found by trying: two ``khala worker`` processes on one base path both started, and a port in
use gave a 55-line traceback after the worker had already created its keys.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.integration.processes import KHALA, free_port, node, start_node


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KHALA, *args], capture_output=True, text=True, timeout=60, check=False)


def test_second_processes_are_refused_with_typed_errors(tmp_path: Path) -> None:
    """Node and worker: a held base path names the pid; a taken port names the option."""
    with node(tmp_path / "chain") as (process, port):
        url = f"http://127.0.0.1:{port}"
        twin = _run("node", "--dev", "--base-path", str(tmp_path / "chain"), "--rpc-port", "0")
        assert twin.returncode == 2
        assert "service.base_path_locked" in twin.stderr and f"pid {process.pid}" in twin.stderr
        taken = _run(
            "node", "--dev", "--base-path", str(tmp_path / "other"), "--rpc-port", str(port)
        )
        assert taken.returncode == 2 and "service.port_in_use" in taken.stderr
        assert "Traceback" not in taken.stderr
        worker_port = free_port()
        worker = subprocess.Popen(
            [KHALA, "worker", "--node", url, "--base-path", str(tmp_path / "w"),
             "--port", str(worker_port), "--control-port", str(free_port())],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not (tmp_path / "w" / "worker-keys.sealed").exists():
                assert time.monotonic() < deadline and worker.poll() is None
                time.sleep(0.2)
            twin_worker = _run(
                "worker", "--node", url, "--base-path", str(tmp_path / "w"),
                "--port", str(free_port()), "--control-port", str(free_port()),
            )  # fmt: skip
            assert twin_worker.returncode == 2 and "service.base_path_locked" in twin_worker.stderr
            fresh = tmp_path / "fresh"
            on_taken_port = _run(
                "worker", "--node", url, "--base-path", str(fresh), "--port", str(worker_port),
                "--control-port", str(free_port()),
            )  # fmt: skip
            assert on_taken_port.returncode == 2 and "service.port_in_use" in on_taken_port.stderr
            assert not (fresh / "worker-keys.sealed").exists()
        finally:
            worker.terminate()
            worker.wait(timeout=20)


def test_a_worker_started_before_its_node_waits_for_it(tmp_path: Path) -> None:
    """The worker keeps retrying (with a line saying so) and starts once the node is up."""
    node_port, worker_port = free_port(), free_port()
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [KHALA, "worker", "--node", f"http://127.0.0.1:{node_port}",
         "--base-path", str(tmp_path / "w"), "--port", str(worker_port),
         "--control-port", str(free_port())],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    chain = None
    try:
        deadline = time.monotonic() + 60
        while "waiting for the node" not in log.read_text():
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.2)
        chain = start_node(tmp_path / "chain", node_port)
        while True:
            assert time.monotonic() < deadline and worker.poll() is None
            try:
                rpc_info = urllib.request.urlopen(f"http://127.0.0.1:{worker_port}/info", timeout=5)
                break
            except OSError:
                time.sleep(0.3)
        assert json.loads(rpc_info.read())["pubkey"].startswith("0x")
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        if chain is not None:
            chain.terminate()
            chain.wait(timeout=20)


def test_a_node_that_cannot_author_stops_with_its_error(tmp_path: Path) -> None:
    """An authoring failure stops the node with its typed error instead of a log line a block."""
    done = subprocess.run(
        [KHALA, "node", "--dev", "--base-path", str(tmp_path / "chain"),
         "--rpc-port", str(free_port()), "--authority", "//Bob", "--block-time", "0.2"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "chain.not_authority" in done.stderr, done.stderr[-2000:]
