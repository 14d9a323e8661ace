"""``khala devnet``: one command to a rewarded pool; Ctrl-C stops everything; it resumes.

Runs the real command with two workers and ``--json-status``, reads its status lines until the
pool's workers earn a reward, interrupts it like Ctrl-C and checks that every process is gone,
then starts it again and checks that the same chain continues with nothing seeded twice.
While it runs, the two workers also form a contract cluster through the CLI: a real ink!
flipper is instantiated, takes an encrypted command, answers an encrypted query, and both
workers reach the same cluster state root.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from khala.contracts.abi import InkMetadata
from khala.primitives.crypto import keypair_from_uri
from khala.sdk import Client
from khala.sdk.contracts import ContractInstance
from tests.conftest import shared_dir
from tests.integration.processes import KHALA, cli, rpc

REWARD_TIMEOUT_S = 300.0
"""From the command to the first reward, generously (the benchmark measures the real time)."""


class Devnet:
    """A running ``khala devnet`` whose status lines are read in the background."""

    def __init__(self, directory: Path, *extra: str, console: bool = False) -> None:
        self.process = subprocess.Popen(
            [KHALA, "devnet", "--workers", "1" if console else "2", "--json-status",
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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _cli_json(*args: str) -> dict[str, Any]:
    done = cli(*args, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _get(url: str, timeout: float = 60) -> dict[str, Any]:
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


def _contracts_on_the_devnet(directory: Path, port: int) -> None:
    """Cluster w1 and w2; instantiate flipper; flip by command; read it by query."""
    ports = json.loads((directory / "devnet.json").read_text())["worker_ports"]
    infos = {name: f"http://127.0.0.1:{ports[name][0]}/info" for name in ("w1", "w2")}
    url = f"--url=http://127.0.0.1:{port}"
    workers = [arg for name in infos for arg in ("--worker", _get(infos[name])["pubkey"])]
    created = _cli_json("contract", "cluster-create", *workers, "--owner", "//Alice",
                        "--deposit", "1000PHA", url)  # fmt: skip
    assert created["success"] and created["number"] == 1
    folder = shared_dir() / "ink-contracts"
    ready = _cli_json(
        "contract", "instantiate", "1", str(folder / "v4_flipper.wasm"),
        "--metadata", str(folder / "v4_flipper.json"), "--args", "[false]",
        "--from", "//Alice", "--wait-ready", "--timeout", "120", url,
    )  # fmt: skip
    assert ready["status"] == "instantiated"
    address, metadata = ready["address"], str(folder / "v4_flipper.json")
    flipped = _cli_json("contract", "call", address, "flip", "--metadata", metadata,
                        "--from", "//Alice", url)  # fmt: skip
    assert flipped["success"]
    deadline = time.monotonic() + 90
    flipper = ContractInstance(
        Client(f"http://127.0.0.1:{port}"), InkMetadata.load(Path(metadata)),
        bytes.fromhex(address[2:]), signer=keypair_from_uri("//Bob"),
    )  # fmt: skip
    while time.monotonic() < deadline and flipper.query.get().value is not True:
        time.sleep(0.5)  # the workers apply the command as their relayer feeds the block
    answer = _cli_json("contract", "query", address, "get", "--metadata", metadata,
                       "--from", "//Bob", url)  # fmt: skip
    assert answer["value"] is True and answer["worker"] in [w for w in workers if w != "--worker"]
    while time.monotonic() < deadline:
        states = [_get(info) for info in infos.values()]
        heights = {s["synced_height"] for s in states}
        roots = {s["contracts"]["state_root"] for s in states}
        if len(heights) == 1 and len(roots) == 1 and None not in roots:
            return
        time.sleep(0.5)
    raise AssertionError(f"the cluster's workers disagree: {states}")


def test_devnet_reaches_a_reward_stops_and_resumes(tmp_path: Path) -> None:
    directory = tmp_path / "devnet"
    devnet = Devnet(directory, "--block-time", "0.5")
    try:
        rewarded = devnet.until(
            "a reward in the pool",
            lambda s: s.get("pool", {}).get("rewards", 0) > 0,
            REWARD_TIMEOUT_S,
        )
        port = json.loads((directory / "devnet.json").read_text())["rpc_port"]
        genesis_hash = rpc(port, "chain_getBlockHash", 0)
        # A worker that dies is restarted by the supervisor, and shown as such.
        os.kill(rewarded["processes"]["w1"]["pid"], signal.SIGKILL)
        restarted = devnet.until(
            "w1 restarted",
            lambda s: (
                s["processes"]["w1"]["restarts"] == 1 and s["processes"]["w1"]["state"] == "running"
            ),
            60,
        )
        assert restarted["processes"]["w1"]["pid"] != rewarded["processes"]["w1"]["pid"]
        assert restarted["processes"]["w1"]["last_exit"] == -signal.SIGKILL
        rewarded = restarted
        _contracts_on_the_devnet(directory, port)
    finally:
        if devnet.process.poll() is None:
            devnet.interrupt()
    assert rewarded["mining_enabled"] is True
    assert set(rewarded["processes"]) == {"node", "gk1", "gk2", "w1", "w2", "relayer"}
    assert all(p["state"] == "running" for p in rewarded["processes"].values())
    assert rewarded["pool"]["value"] > 0 and rewarded["seeded"][:2] == [
        "launch scheduled",
        "pool created",
    ]
    assert all(p["state"] == "running" for p in rewarded["processes"].values())
    pids = [p["pid"] for p in rewarded["processes"].values()]
    assert not any(_alive(pid) for pid in pids)
    genesis = (directory / "genesis.json").read_text()

    again = Devnet(directory, "--block-time", "0.5")
    try:
        resumed = again.until("the resumed pool", lambda s: s.get("pool") is not None, 120)
        assert resumed["head"] >= rewarded["head"]
        assert json.loads((directory / "devnet.json").read_text())["rpc_port"] == port
        assert rpc(port, "chain_getBlockHash", 0) == genesis_hash
        assert resumed["pool"]["pid"] == rewarded["pool"]["pid"] == 0
        assert (directory / "genesis.json").read_text() == genesis
        assert "workers computing" in resumed["seeded"]
    finally:
        again.interrupt()
