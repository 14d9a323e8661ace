"""``khala devnet``: one command to a rewarded pool; Ctrl-C stops everything; it resumes.

One devnet serves this whole scenario, the web console's browser checks included
(``console_checks.py``): starting one costs about half a minute on a busy machine.

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
import signal
import time
from pathlib import Path
from typing import Any

from khala.contracts.abi import InkMetadata
from khala.primitives.crypto import keypair_from_uri
from khala.sdk import Client
from khala.sdk.contracts import ContractInstance
from tests.conftest import shared_dir
from tests.integration.console_checks import check_console
from tests.integration.devnet_process import Devnet, get_json
from tests.integration.processes import cli, rpc

REWARD_TIMEOUT_S = 300.0
"""From the command to the first reward, generously (the benchmark measures the real time)."""


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


def _contracts_on_the_devnet(directory: Path, port: int) -> None:
    """Cluster w1 and w2; instantiate flipper; flip by command; read it by query."""
    ports = json.loads((directory / "devnet.json").read_text())["worker_ports"]
    infos = {name: f"http://127.0.0.1:{ports[name][0]}/info" for name in ("w1", "w2")}
    url = f"--url=http://127.0.0.1:{port}"
    workers = [arg for name in infos for arg in ("--worker", get_json(infos[name])["pubkey"])]
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
        states = [get_json(info) for info in infos.values()]
        heights = {s["synced_height"] for s in states}
        roots = {s["contracts"]["state_root"] for s in states}
        if len(heights) == 1 and len(roots) == 1 and None not in roots:
            return
        time.sleep(0.5)
    raise AssertionError(f"the cluster's workers disagree: {states}")


def test_devnet_reaches_a_reward_stops_and_resumes(tmp_path: Path) -> None:
    directory = tmp_path / "devnet"
    devnet = Devnet(directory, "--block-time", "0.5", console=True)
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
        _contracts_on_the_devnet(directory, port)  # cluster 1: w1 and w2, through the CLI
        check_console(json.loads((directory / "devnet.json").read_text()), cluster_number=1)
    finally:
        if devnet.process.poll() is None:
            devnet.interrupt()
    assert rewarded["mining_enabled"] is True
    assert set(rewarded["processes"]) == {"node", "gk1", "gk2", "w1", "w2", "relayer", "console"}
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
