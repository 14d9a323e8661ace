"""A running ``khala devnet`` for integration tests: its status lines, its workers' JSON."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.integration.processes import KHALA


class Devnet:
    """A running ``khala devnet`` whose status lines are read in the background."""

    def __init__(self, directory: Path, *extra: str, console: bool = False) -> None:
        self.process = subprocess.Popen(
            [KHALA, "devnet", "--workers", "2", "--json-status",
             "--console" if console else "--no-console", "--dir", str(directory), *extra],
            stdout=subprocess.PIPE,
            stderr=(directory.parent / "devnet-stderr.log").open("ab"),
            text=True,
        )  # fmt: skip
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.last: dict[str, Any] = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self.lines.put(json.loads(line))

    def until(self, what: str, condition: Any, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.last = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.process.poll() is None, "the devnet exited"
                continue
            if condition(self.last):
                return self.last
        raise AssertionError(f"timed out waiting for {what}; last status: {self.last}")

    def interrupt(self) -> None:
        self.process.send_signal(signal.SIGINT)
        assert self.process.wait(timeout=60) == 0


def get_json(url: str, timeout: float = 60) -> dict[str, Any]:
    """GET a worker's JSON, waiting for it to listen (a restarted worker takes a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback
                document: dict[str, Any] = json.loads(answer.read())
            return document
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
