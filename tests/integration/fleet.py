"""A fleet of real worker processes (gatekeepers and miners) and the helpers tests drive it with."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from khala.attestation.dev_pki import load_or_create
from khala.devnet.layout import genesis_document
from khala.primitives.crypto import keypair_from_uri
from khala.primitives.scale import codec_of
from khala.runtime.events import EventRecord
from khala.sdk import Client
from khala.sdk.core import EVENTS_KEY
from tests.integration.processes import KHALA, cli, free_port

BOB = keypair_from_uri("//Bob").public_key
"""The workers' operator in the fleet tests."""
_EVENTS = codec_of(list[EventRecord])


def dev_genesis_file(path: Path, pki: Path, **overrides: int) -> Path:
    """Write the devnet's genesis with some preset constants shortened, for ``--genesis``.

    Dev accounts, council and subsidy as the devnet has them, ``pki``'s root trusted.
    """
    document = genesis_document(load_or_create(pki).root_der)
    document["preset_overrides"] = overrides
    path.write_text(json.dumps(document))
    return path


def info(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/info", timeout=5) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def wait(what: str, condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def ok(*args: str) -> dict[str, Any]:
    done = cli(*args, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


class Fleet:
    """Workers named ``gk*`` (gatekeepers) and others (miners), operated by //Bob."""

    def __init__(
        self,
        tmp_path: Path,
        url: str,
        pki: Path,
        names: Iterable[str] = ("gk1", "gk2", "m0", "m1", "m2"),
    ) -> None:
        self.tmp, self.url, self.pki = tmp_path, url, pki
        self.ports = {name: free_port() for name in names}
        self.controls = {name: free_port() for name in self.ports}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        for name in self.ports:
            self.start(name)

    def start(self, name: str) -> None:
        extra = ["--gatekeeper"] if name.startswith("gk") else []
        log = (self.tmp / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [
                KHALA, "worker", "--node", self.url, "--base-path", str(self.tmp / name),
                "--dev-pki", str(self.pki), "--port", str(self.ports[name]),
                "--control-port", str(self.controls[name]), "--operator", "0x" + BOB.hex(),
                "--checkpoint-interval", "10", "--benchmark-duty", "0.1", *extra,
            ],
            stdout=log,
            stderr=log,
        )  # fmt: skip

    def relay(self, payer: str = "//Dave") -> None:
        """Start the fleet relayer for every worker (``payer`` pays the fees)."""
        self.processes["relayer"] = subprocess.Popen(
            [
                KHALA, "relayer", "--node", self.url, "--workers",
                ",".join(f"http://127.0.0.1:{p}" for p in self.controls.values()),
                "--operator", payer, "--owner", "0x" + BOB.hex(),
                "--state", str(self.tmp / "relayer.json"),
            ],
            stdout=(self.tmp / "relayer.log").open("ab"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    def pubkey(self, name: str) -> str:
        return str(info(self.ports[name])["pubkey"])

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=20)


def block_events(url: str, first: int, last: int) -> list[tuple[int, Any]]:
    """(block number, module event) for every event of blocks ``first..last``."""
    client = Client(url)
    found = []
    for number in range(first, last + 1):
        block = client.block(number)
        raw = client.rpc("state_getStorage", "0x" + EVENTS_KEY.hex(), "0x" + block.block_hash.hex())
        for record in _EVENTS.decode(bytes.fromhex(raw[2:])):
            found.append((number, record.event))
    return found
