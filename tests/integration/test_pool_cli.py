"""``khala pool`` and ``khala stake`` against a real dev node (no workers needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from khala.offchain.estimator import Network, Profile, estimate
from khala.primitives.fixed_point import U64F64
from khala.runtime.modules.computation.tokenomics import GEMINI
from khala.runtime.presets import DEV
from tests.integration.processes import cli, node

PHA = 10**12


def _ok(*args: str) -> dict[str, Any]:
    done = cli(*args, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_pool_life_through_the_cli(tmp_path: Path) -> None:
    """Create, configure, delegate, withdraw, look; refusals are typed and cost nothing."""
    with node(tmp_path / "chain", "--block-time", "0.5") as (_, port):
        url = f"--url=http://127.0.0.1:{port}"
        assert _ok("pool", "create", "--from", "//Bob", url)["pid"] == 0
        assert _ok("pool", "set-commission", "0", "12.5%", "--from", "//Bob", url)["success"]
        assert _ok("pool", "set-cap", "0", "2000PHA", "--from", "//Bob", url)["success"]
        paid = _ok("pool", "contribute", "0", "--amount", "1500PHA", "--from", "//Charlie", url)
        assert paid["amount"] == 1500 * PHA and paid["amount_pha"] == "1500 PHA"
        over = cli("pool", "contribute", "0", "--amount", "600PHA", "--from", "//Dave", url)
        assert over.returncode == 1 and "stake_pool.cap_exceeded" in over.stdout
        assert _ok("pool", "withdraw", "0", "--shares", "100.5", "--from", "//Charlie", url)[
            "success"
        ]
        shown = _ok("pool", "show", "0", url)
        assert shown["commission_percent"] == "12.5" and shown["cap"] == 2000 * PHA
        assert shown["total_value"] == shown["free_stake"] == 1_399_500_000_000_000
        assert shown["withdraw_queue"] == [] and shown["price"] == "1.000000000000"
        assert [row["pid"] for row in _ok("pool", "list", url)["pools"]] == [0]
        stake = _ok("stake", "show", "//Charlie", url)
        assert stake["positions"] == [
            {
                "pid": 0,
                "shares": 1_399_500_000_000_000,
                "queued_shares": 0,
                "value": 1_399_500_000_000_000,
                "value_pha": "1399.5 PHA",
            }
        ]
        for args, code in (
            (("set-commission", "0", "101%", "--from", "//Bob"), "cli.invalid_argument"),
            (("withdraw", "0", "--all", "--from", "//Ferdie"), "cli.invalid_argument"),
            (("claim-owner-rewards", "0", "--from", "//Bob"), "cli.invalid_argument"),
            (("show", "7"), "sdk.not_found"),
        ):
            refused = cli("pool", *args, url, "--json")
            assert refused.returncode == 2 and code in refused.stdout, refused.stdout
        stranger = cli("pool", "set-cap", "0", "none", "--from", "//Dave", url, "--json")
        assert stranger.returncode == 1 and "stake_pool.not_owner" in stranger.stdout
        assert shown["estimated_apr_percent"] == "0.0000"  # no computing worker yet

        # A vault: //Dave runs it, //Ferdie delegates, the vault invests in pool 0.
        assert _ok("vault", "create", "--from", "//Dave", url)["pid"] == 0
        _ok("vault", "contribute", "0", "--amount", "500PHA", "--from", "//Ferdie", url)
        _ok("vault", "invest", "0", "0", "--amount", "200PHA", "--from", "//Dave", url)
        vault = _ok("vault", "show", "0", url)
        assert (vault["total_value"], vault["free"]) == (500 * PHA, 300 * PHA)
        assert vault["holdings"] == [
            {"pool": 0, "shares": 200 * PHA, "queued": 0, "value": 200 * PHA}
        ]
        ferdie = _ok("stake", "show", "//Ferdie", url)
        assert [p["value"] for p in ferdie["vault_positions"]] == [500 * PHA]
        refused = cli(
            "vault", "invest", "0", "0", "--amount", "1PHA", "--from", "//Eve", url, "--json"
        )
        assert refused.returncode == 1 and "vault.not_owner" in refused.stdout
        _ok("vault", "withdraw", "0", "--shares", "400", "--from", "//Ferdie", url)
        # 300 free paid at once; the pool is asked for 100 PHA of shares plus one share unit
        # (the cascade rounds up), paid from its free stake at once: 1 planck stays in the vault.
        after = _ok("vault", "show", "0", url)
        assert after["free"] == 1 and after["withdraw_queue"] == []
        assert after["holdings"] == [
            {"pool": 0, "shares": 100 * PHA - 1, "queued": 0, "value": 100 * PHA - 1}
        ]

        # The estimator replays the engine with the chain's own parameters and preset.
        args = ("--score", "2000", "--stake", "5000PHA", "--days", "3", "--commission", "10%")
        estimated = _ok("mining", "estimate", *args, "--network-workers", "9", url)
        expected = estimate(
            GEMINI,
            Profile(2000, 1, 5000 * PHA),
            Network(workers=9),
            days=3,
            block_secs=DEV.block_time_ms // 1000,
            heartbeats_per_hour=DEV.heartbeats_per_hour,
            commission_ppm=100_000,
        )
        assert estimated == expected.to_json()
        alone = _ok("mining", "estimate", *args, url)  # the live Σshare: nobody computes
        assert (
            alone["total_reward"]
            == estimate(
                GEMINI,
                Profile(2000, 1, 5000 * PHA),
                Network(share=U64F64(0)),
                days=3,
                block_secs=DEV.block_time_ms // 1000,
                heartbeats_per_hour=DEV.heartbeats_per_hour,
            ).total_reward
        )
