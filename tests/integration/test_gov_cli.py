"""The fair-launch timer through the CLI against a real dev node."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.integration.processes import cli, node, rpc


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    done = cli(*args, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[type-arg]
    return result


def test_schedule_reschedule_and_launch(tmp_path: Path) -> None:
    """Schedule the launch, delay it, watch mining switch on at the new height."""
    with node(tmp_path / "chain", "--block-time", "0.5") as (_, port):
        url = f"http://127.0.0.1:{port}"
        head = int(rpc(port, "chain_getHeader")["number"], 16)
        first = head + 40
        scheduled = _json("gov", "schedule-mining-start", "--at", str(first), "--url", url)
        assert scheduled["success"] is True and scheduled["at"] == first
        assert _json("gov", "task", "--url", url) == {
            "task": "start-mining",
            "scheduled": True,
            "at": first,
        }
        # 24 blocks (12 s): the status check below must come first even on a busy machine
        launch = int(rpc(port, "chain_getHeader")["number"], 16) + 24
        moved = _json("gov", "reschedule", "start-mining", "--at", str(launch), "--url", url)
        assert moved["success"] is True
        status = _json("mining", "status", "--url", url)
        assert status["mining_enabled"] is False and status["online_workers"] == 0

        refused = cli("gov", "reschedule", "nothing-here", "--at", "99999", "--url", url, "--json")
        assert refused.returncode == 1 and "scheduler.not_found" in refused.stdout

        deadline = time.monotonic() + 60
        while int(rpc(port, "chain_getHeader")["number"], 16) < launch:
            assert time.monotonic() < deadline, "the chain stopped"
            time.sleep(0.25)
        assert _json("mining", "status", "--url", url)["mining_enabled"] is True
        assert _json("gov", "task", "--url", url)["scheduled"] is False

        gatekeepers = _json("gatekeeper", "status", "--url", url)
        assert gatekeepers["gatekeepers"] == [] and gatekeepers["master_pubkey"] is None
        worker = "0x" + "07" * 32
        missing = cli(
            "worker", "start-computing", worker, "--stake", "3000PHA", "--from", "//Bob",
            "--url", url, "--json",
        )  # fmt: skip
        assert missing.returncode != 0
        assert "computation.worker_not_registered" in missing.stdout + missing.stderr
