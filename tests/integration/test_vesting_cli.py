"""Crowdloan vesting on a real node: 15 % free at genesis, the rest vesting, and staked anyway."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.runtime.modules.vesting.schedules import locked_at
from khala.runtime.modules.vesting.types import VestingInfo
from khala.runtime.presets import DEV
from tests.integration.processes import cli, node

PHA = 10**12


def _ok(*args: str) -> dict[str, Any]:
    done = cli(*args, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_crowdloan_contributor_vests_and_stakes_locked_pha(tmp_path: Path) -> None:
    alice = keypair_from_uri("//Alice")
    genesis = {
        "preset": "dev",
        "endowed": [["0x" + alice.public_key.hex(), "100000PHA"]],
        "crowdloan": [["0x" + keypair_from_uri("//Charlie").public_key.hex(), "1000PHA"]],
        "authorities": [
            {
                "finality_key": "0x"
                + keypair_from_uri("//Alice", KeyScheme.ED25519).public_key.hex(),
                "account": "0x" + alice.public_key.hex(),
            }
        ],
        "sudo": "0x" + alice.public_key.hex(),
    }
    path = tmp_path / "genesis.json"
    path.write_text(json.dumps(genesis))
    with node(tmp_path / "chain", "--genesis", str(path), "--block-time", "0.5") as (_, port):
        url = f"--url=http://127.0.0.1:{port}"
        shown = _ok("vesting", "show", "//Charlie", url)
        [schedule] = shown["schedules"]
        assert (schedule["locked"], schedule["starting_block"]) == (850 * PHA, 0)
        assert schedule["per_block"] == 850 * PHA // DEV.crowdloan_vesting_blocks
        info = VestingInfo(850 * PHA, schedule["per_block"], 0)
        assert shown["locked_now"] == locked_at(info, shown["block"])
        spend = cli("tx", "transfer", "--from", "//Charlie", "--to", "//Dave",
                    "--amount", "500PHA", url, "--json")  # fmt: skip
        assert spend.returncode == 1 and "balances.liquidity_restrictions" in spend.stdout
        vested = _ok("vesting", "vest", "--from", "//Charlie", url)
        assert vested["success"] is True
        after = _ok("vesting", "show", "//Charlie", url)
        assert after["locked_now"] == locked_at(info, after["block"]) < shown["locked_now"]
        # Locked PHA goes to work in a pool; the lock stays on the account.
        assert _ok("pool", "create", "--from", "//Alice", url)["pid"] == 0
        _ok("pool", "contribute", "0", "--amount", "900PHA", "--from", "//Charlie", url)
        stake = _ok("stake", "show", "//Charlie", url)
        assert [p["value"] for p in stake["positions"]] == [900 * PHA]
        assert _ok("vesting", "show", "//Charlie", url)["locked_now"] > 0
