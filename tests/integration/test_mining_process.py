"""Mining with real processes: node, 2 gatekeepers, 3 workers and a relayer on the dev preset.

The launch is a scheduled call; workers benchmark, start computing and answer challenges; the
gatekeepers settle rewards (20 % to the treasury); a killed worker turns unresponsive and
recovers after a restart; a stopped worker's stake comes back exactly after the cool-down.
Then every event of every block decodes through the metadata in substrate-interface and
@polkadot/api, exactly as khala's own declarations decode it.
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

from substrateinterface import SubstrateInterface

from khala.primitives.scale import codec_of
from khala.runtime.events import EventRecord
from khala.runtime.modules.balances.events import Transfer
from khala.runtime.modules.computation.constants import MIN_SCORE, SUBSIDY_ACCOUNT
from khala.runtime.modules.computation.events import SessionSettled
from khala.runtime.modules.mq.events import MessageHandlerFailed
from khala.runtime.modules.mq.types import WorkerOrigin
from khala.runtime.modules.payment.constants import TREASURY_ACCOUNT
from khala.sdk import Client
from khala.sdk.core import EVENTS_KEY
from khala.sdk.mining import overview, session_status
from tests.integration.fleet import BOB, Fleet, dev_genesis_file
from tests.integration.fleet import info as _info
from tests.integration.fleet import ok as _ok
from tests.integration.fleet import wait as _wait
from tests.integration.processes import KHALA, cli, node
from tests.integration.substrate_tools import decode_every_block, polkadot_js

STAKE = "3000PHA"
STAKE_UNITS = 3000 * 10**12


def _session(url: str, pubkey: str) -> dict[str, Any]:
    return session_status(Client(url), bytes.fromhex(pubkey[2:])).to_json()


def _settlement_split(url: str, since: int) -> tuple[int, int, int]:
    """(settlements, Σ payout, Σ treasury) from the blocks after ``since``."""
    client = Client(url)
    settled = payout = treasury = 0
    for number in range(since + 1, client.head().number + 1):
        block = client.block(number)
        raw = client.rpc("state_getStorage", "0x" + EVENTS_KEY.hex(), "0x" + block.block_hash.hex())
        for record in codec_of(list[EventRecord]).decode(bytes.fromhex(raw[2:])):
            event = record.event
            if isinstance(event, SessionSettled):
                settled += 1
                payout += event.payout
            elif (
                isinstance(event, Transfer)
                and bytes(event.source) == SUBSIDY_ACCOUNT
                and bytes(event.dest) == TREASURY_ACCOUNT
            ):
                treasury += event.amount
    return settled, payout, treasury


def _heartbeat_refusals(url: str, since: int, pubkey: str) -> list[str]:
    """Errors of the chain's heartbeat handler for ``pubkey``'s messages after block ``since``."""
    client = Client(url)
    worker = bytes.fromhex(pubkey[2:])
    refusals = []
    for number in range(since + 1, client.head().number + 1):
        block = client.block(number)
        raw = client.rpc("state_getStorage", "0x" + EVENTS_KEY.hex(), "0x" + block.block_hash.hex())
        for record in codec_of(list[EventRecord]).decode(bytes.fromhex(raw[2:])):
            event = record.event
            if (
                isinstance(event, MessageHandlerFailed)
                and isinstance(event.sender, WorkerOrigin)
                and bytes(event.sender.pubkey) == worker
            ):
                refusals.append(repr(event.error))
    return refusals


def test_mining_end_to_end(tmp_path: Path) -> None:
    pki = tmp_path / "pki"
    # dev's 30 s cool-down shortened: still long enough for the early reclaim to be refused
    genesis = dev_genesis_file(tmp_path / "genesis.json", pki, cool_down_secs=15)
    # archive: the test decodes every block's events at the end (past 256 blocks here)
    with node(tmp_path / "chain", "--genesis", str(genesis), "--dev-pki", str(pki),
              "--block-time", "0.5", "--state-pruning", "archive") as (_, port):  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        fleet = Fleet(tmp_path, url, pki)
        relayer = None
        try:
            _wait(
                "workers up",
                lambda: all(_info(p)["synced_height"] >= -1 for p in fleet.ports.values()),
            )
            relayer = subprocess.Popen(
                [
                    KHALA, "relayer", "--node", url, "--workers",
                    ",".join(f"http://127.0.0.1:{p}" for p in fleet.controls.values()),
                    "--operator", "//Dave", "--owner", "0x" + BOB.hex(),
                    "--state", str(tmp_path / "relayer.json"),
                ],
                stdout=(tmp_path / "relayer.log").open("ab"),
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            _wait("registrations", lambda: len(Client(url).workers()) == 5)
            keys = {name: fleet.pubkey(name) for name in fleet.ports}
            miners = [keys["m0"], keys["m1"], keys["m2"]]

            launch = Client(url).head().number + 45
            _ok("gov", "schedule-mining-start", "--at", str(launch), "--url", url)
            # Tried at once, well before the launch block even on a busy machine: refused.
            early = cli(
                "worker",
                "start-computing",
                miners[0],
                "--stake",
                STAKE,
                "--from",
                "//Bob",
                "--url",
                url,
                "--json",
            )
            assert early.returncode == 1 and "computation.mining_not_enabled" in early.stdout
            assert f"mining starts at block #{launch}" in json.loads(early.stdout)["hint"]

            _ok("gov", "register-gatekeeper", keys["gk1"], "--url", url)
            _wait("master key", lambda: overview(Client(url)).master_pubkey is not None)
            _wait("gk1 active", lambda: _info(fleet.ports["gk1"])["gatekeeper"]["holds_master_key"])
            listed = json.loads(cli("worker", "list", "--url", url, "--json").stdout)["workers"]
            assert {item["pubkey"] for item in listed if item["gatekeeper"]} == {keys["gk1"]}
            gk_mining = _info(fleet.ports["gk1"])["mining"]
            assert gk_mining["benchmark_iterations"] == 0 and not gk_mining["benchmark_running"]
            _ok("gov", "register-gatekeeper", keys["gk2"], "--url", url)
            _wait(
                "gk2 receives the key",
                lambda: _info(fleet.ports["gk2"])["gatekeeper"]["holds_master_key"],
            )

            _wait(
                "benchmarks",
                lambda: all((_session(url, key)["score"] or 0) >= MIN_SCORE for key in miners),
            )

            _wait("the launch", lambda: overview(Client(url)).enabled, timeout=180)
            assert Client(url).head().number >= launch
            started_at = Client(url).head().number
            for key in miners:
                assert _ok(
                    "worker",
                    "start-computing",
                    key,
                    "--stake",
                    STAKE,
                    "--from",
                    "//Bob",
                    "--url",
                    url,
                )["success"]

            _wait(
                "rewards for every miner",
                lambda: all((_session(url, key)["total_reward"] or 0) > 0 for key in miners),
                timeout=180,
            )
            settled, payout, treasury = _settlement_split(url, started_at)
            assert settled >= 3 and payout > 0
            # treasury = budget·0.2 and payout = budget·0.8, each truncated to planck
            assert abs(treasury * 4 - payout) <= 4 * settled

            fleet.processes["m0"].send_signal(signal.SIGKILL)
            fleet.processes["m0"].wait()
            _wait(
                "m0 unresponsive",
                lambda: _session(url, miners[0])["state"] == "WorkerUnresponsive",
                timeout=180,
            )
            assert _session(url, miners[0])["last_responsiveness_change"].startswith(
                "EnterUnresponsive at #"
            )
            frozen = _session(url, miners[0])["total_reward"]
            others = _session(url, miners[1])["total_reward"]
            _wait("m1 keeps earning", lambda: _session(url, miners[1])["total_reward"] > others)
            assert _session(url, miners[0])["total_reward"] == frozen

            fleet.start("m0")
            _wait(
                "m0 recovers",
                lambda: _session(url, miners[0])["state"] == "WorkerIdle",
                timeout=180,
            )
            assert _session(url, miners[0])["last_responsiveness_change"].startswith(
                "ExitUnresponsive at #"
            )

            # A crash a few blocks after a checkpoint (every 10 blocks), restarted at once: the
            # restored queue and counts continue from the chain's view, so the heartbeats
            # after the restart land (they used to be refused as bad_heartbeat).
            _wait(
                "m1 a few blocks past a checkpoint",
                lambda: 2 <= _info(fleet.ports["m1"])["synced_height"] % 10 <= 6,
            )
            before = _session(url, miners[1])
            crashed_at = Client(url).head().number
            fleet.processes["m1"].send_signal(signal.SIGKILL)
            fleet.processes["m1"].wait()
            fleet.start("m1")
            _wait(
                "m1 heartbeats after the restart",
                lambda: (
                    (_session(url, miners[1])["last_heartbeat_time"] or "")
                    > (before["last_heartbeat_time"] or "")
                ),
                timeout=120,
            )
            _wait(
                "m1 paid after the restart",
                lambda: _session(url, miners[1])["total_reward"] > before["total_reward"],
                timeout=120,
            )
            assert _heartbeat_refusals(url, crashed_at, miners[1]) == []

            reserved_before = Client(url).account(BOB).data.reserved
            _ok("worker", "stop-computing", miners[2], "--from", "//Bob", "--url", url)
            assert _session(url, miners[2])["state"] == "WorkerCoolingDown"
            early_reclaim = cli(
                "worker", "reclaim", miners[2], "--from", "//Charlie", "--url", url, "--json"
            )
            assert (
                early_reclaim.returncode == 1
                and "computation.cool_down_not_ready" in early_reclaim.stdout
            )
            assert "the cool-down ends" in json.loads(early_reclaim.stdout)["steps"][0]["hint"]

            last: dict[str, Any] = {}

            def reclaimed() -> bool:
                done = cli(
                    "worker", "reclaim", miners[2], "--from", "//Charlie", "--unbind",
                    "--url", url, "--json",
                )  # fmt: skip
                last.update(json.loads(done.stdout.strip().splitlines()[-1]))
                return bool(last.get("steps")) and last["steps"][0]["success"] is True

            _wait("the cool-down", reclaimed, timeout=120)
            # anyone may reclaim; only the operator may unbind: each step reported on its own
            assert [step["step"] for step in last["steps"]] == ["reclaim", "unbind"]
            assert last["steps"][1]["error"] == "computation.not_operator"
            assert Client(url).account(BOB).data.reserved == reserved_before - STAKE_UNITS
            assert _session(url, miners[2])["state"] == "Ready"
            assert _session(url, miners[2])["stake"] == 0

            # Every event of the scenario decodes by metadata alone, in both ecosystems' clients.
            ws = f"ws://127.0.0.1:{port}"
            seen, first = decode_every_block(url, SubstrateInterface(url=ws, ss58_format=30))
            modules = {module for module, _ in seen}
            assert modules >= {
                "System", "Balances", "TransactionPayment", "Mq", "Registry", "Computation",
                "Scheduler", "Sudo",
            }  # fmt: skip
            report = polkadot_js(ws, *sorted(set(first.values())))
            for (module, event), block_hash in first.items():
                assert f"{module[0].lower()}{module[1:]}.{event}" in report["decoded"][block_hash]
        finally:
            fleet.stop_all()
            if relayer is not None and relayer.poll() is None:
                relayer.send_signal(signal.SIGTERM)
                relayer.wait(timeout=20)
