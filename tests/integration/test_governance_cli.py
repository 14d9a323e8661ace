"""Democracy, the treasury, council motions of any call and the releases, through the CLI.

A real dev node (council: Alice, Bob, Charlie) whose genesis lengthens the voting period, so
the steps never race the chain on a busy machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.ss58 import ss58_encode
from khala.runtime.modules.treasury.constants import ACCOUNT as TREASURY
from khala.runtime.version import SPEC_VERSION
from tests.integration.fleet import ok, wait
from tests.integration.processes import cli, node

PHA = 10**12


def _carry(url: str, motion: dict[str, Any]) -> dict[str, Any]:
    """Bob seconds a 2-of-3 motion; Charlie closes it."""
    ok("gov", "council", "vote", motion["motion"], "--from", "//Bob", "--url", url)
    return ok("gov", "council", "close", motion["motion"], "--from", "//Charlie", "--url", url)


def _genesis(path: Path) -> Path:
    def key(name: str, scheme: KeyScheme = KeyScheme.SR25519) -> str:
        return "0x" + keypair_from_uri(f"//{name}", scheme).public_key.hex()

    names = ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")
    document = {
        "preset": "dev",
        "preset_overrides": {"democracy_launch_blocks": 60, "democracy_voting_blocks": 400},
        "endowed": [[key(name), "1000000PHA"] for name in names],
        "council": [key(name) for name in names[:3]],
        "authorities": [{"finality_key": key("Alice", KeyScheme.ED25519), "account": key("Alice")}],
        "sudo": key("Alice"),
    }
    path.write_text(json.dumps(document))
    return path


def test_governance_commands(tmp_path: Path) -> None:
    genesis = str(_genesis(tmp_path / "genesis.json"))
    with node(tmp_path / "chain", "--genesis", genesis, "--block-time", "0.5") as (_, port):
        url = f"http://127.0.0.1:{port}"
        releases = ok("gov", "upgrade", "--list", "--url", url)
        assert releases["running"] == SPEC_VERSION
        assert [r["spec_version"] for r in releases["releases"]] == [7, 8, SPEC_VERSION]
        down = cli("gov", "upgrade", "--spec-version", "7", "--url", url, "--json")
        assert down.returncode != 0 and "upgrade to a higher one" in down.stdout

        # A public proposal, seconded, becomes a referendum at the next launch period.
        remark = '{"remark": "0x6b68616c61"}'
        proposed = ok("gov", "democracy", "propose", "--call", "system.remark", "--args",
                      remark, "--from", "//Bob", "--url", url)  # fmt: skip
        index = proposed["proposal_index"]
        ok("gov", "democracy", "second", str(index), "--from", "//Charlie", "--url", url)
        [waiting] = ok("gov", "democracy", "list", "--url", url)["proposals"]
        assert (waiting["call"], waiting["backers"]) == ("Remark", 2)
        bad = cli("gov", "democracy", "propose", "--call", "system.nothing", "--from", "//Bob",
                  "--url", url, "--json")  # fmt: skip
        assert bad.returncode != 0 and "remark_with_event" in bad.stdout

        # Dave delegates to Alice, Alice votes 2x; the tally counts both.
        ok("gov", "democracy", "delegate", "//Alice", "--balance", "100PHA", "--conviction", "1",
           "--from", "//Dave", "--url", url)  # fmt: skip
        assert ok("gov", "democracy", "show", "//Dave", "--url", url)["delegating_to"]
        wait("the launch", lambda: ok("gov", "democracy", "list", "--url", url)["referenda"], 60)
        [referendum] = ok("gov", "democracy", "list", "--url", url)["referenda"]
        ok("gov", "democracy", "vote", str(referendum["index"]), "--balance", "1000PHA",
           "--conviction", "2", "--from", "//Alice", "--url", url)  # fmt: skip
        [tallied] = ok("gov", "democracy", "list", "--url", url)["referenda"]
        assert (tallied["ayes"], tallied["turnout"]) == (2_100 * PHA, 1_100 * PHA)
        spend = cli("tx", "transfer", "--to", "//Ferdie", "--amount", "999999PHA",
                    "--from", "//Alice", "--url", url, "--json")  # fmt: skip
        assert spend.returncode == 1 and "liquidity_restrictions" in spend.stdout

        # A treasury spend: proposed with a bond, approved by a council motion, paid.
        ok("tx", "transfer", "--to", ss58_encode(TREASURY), "--amount", "1000PHA",
           "--from", "//Eve", "--url", url)  # fmt: skip
        proposal = ok("treasury", "propose-spend", "100PHA", "//Ferdie", "--from", "//Eve",
                      "--url", url)  # fmt: skip
        assert proposal["bond"] == 5 * PHA
        before = json.loads(cli("query", "balance", "//Ferdie", "--url", url, "--json").stdout)
        motion = ok("treasury", "approve", "0", "--via", "council", "--from", "//Alice",
                    "--url", url)  # fmt: skip
        assert motion["threshold"] == 2 and _carry(url, motion)["outcome"] == "carried"
        shown = ok("treasury", "show", "--url", url)["proposals"]
        assert all(entry["approved"] for entry in shown)  # approved, or paid already
        wait("the spend period", lambda: not ok("treasury", "show", "--url", url)["proposals"], 60)
        after = json.loads(cli("query", "balance", "//Ferdie", "--url", url, "--json").stdout)
        assert after["free"] - before["free"] == 100 * PHA

        # Any call as a council motion: schedule a remark through the scheduler.
        remark_call = {"call": "system.remark", "args": {"remark": "0x01"}}
        args = json.dumps(
            {"after": 50, "maybe_periodic": [2, 3], "priority": 0, "call": remark_call}
        )
        motion = ok("gov", "council", "propose", "--call", "scheduler.schedule_after",
                    "--args", args, "--from", "//Alice", "--url", url)  # fmt: skip
        _carry(url, motion)
        [task] = ok("gov", "scheduled", "--url", url)["tasks"]
        assert (task["call"], task["period"], task["runs_left"]) == ("Remark", 2, 3)
