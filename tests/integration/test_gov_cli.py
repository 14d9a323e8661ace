"""The fair-launch timer through the CLI against a real dev node."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.integration.fleet import dev_genesis_file
from tests.integration.processes import cli, node, rpc


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    done = cli(*args, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[type-arg]
    return result


def test_schedule_reschedule_and_launch(tmp_path: Path) -> None:
    """Schedule the launch far ahead, move it closer, watch mining switch on at the new height.

    The first height is far enough (400 blocks, 200 s) that the new one, 24 blocks after
    whenever the reschedule is sent, never equals it (a busy machine once made them equal,
    and the chain rightly refused a reschedule to the same block).
    """
    with node(tmp_path / "chain", "--block-time", "0.5") as (_, port):
        url = f"http://127.0.0.1:{port}"
        head = int(rpc(port, "chain_getHeader")["number"], 16)
        first = head + 400
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


def test_a_council_motion_schedules_the_launch(tmp_path: Path) -> None:
    """--via council: Alice proposes (2 of 3 needed), Bob votes, anyone closes; it runs."""
    # A 200-block motion period: the early close below must come before its end on a busy
    # machine too (the dev preset's 20 blocks are 10 s here).
    genesis = dev_genesis_file(
        tmp_path / "genesis.json", tmp_path / "pki", council_motion_blocks=200
    )
    with node(tmp_path / "chain", "--genesis", str(genesis), "--block-time", "0.5") as (_, port):
        url = f"http://127.0.0.1:{port}"
        head = int(rpc(port, "chain_getHeader")["number"], 16)
        proposed = _json(
            "gov", "schedule-mining-start", "--at", str(head + 200), "--via", "council",
            "--url", url,
        )  # fmt: skip
        assert proposed["threshold"] == 2 and proposed["members"] == 3
        assert proposed["executed"] is False
        motion = proposed["motion"]
        listed = _json("gov", "council", "list", "--url", url)
        assert [m["motion"] for m in listed["motions"]] == [motion]
        assert listed["motions"][0]["call"] == "ScheduleNamed"
        early = cli("gov", "council", "close", motion, "--from", "//Dave", "--url", url, "--json")
        assert early.returncode == 1 and "council.too_early" in early.stdout
        not_member = cli(
            "gov", "council", "vote", motion, "--from", "//Dave", "--url", url, "--json"
        )
        assert not_member.returncode == 1 and "council.not_member" in not_member.stdout
        assert _json("gov", "council", "vote", motion, "--from", "//Bob", "--url", url)["success"]
        closed = _json("gov", "council", "close", motion, "--from", "//Dave", "--url", url)
        assert closed["outcome"] == "carried" and closed["result"] == "Ok"
        assert _json("gov", "task", "--url", url) == {
            "task": "start-mining",
            "scheduled": True,
            "at": head + 200,
        }
        assert _json("gov", "council", "list", "--url", url)["motions"] == []
        agenda = _json("gov", "scheduled", "--url", url)
        [task] = agenda["tasks"]
        assert (task["name"], task["call"], task["at"]) == (
            "start-mining",
            "SetMiningEnabled",
            head + 200,
        )
        assert task["in_blocks"] == head + 200 - agenda["head"]
