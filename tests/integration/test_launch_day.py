"""Khala's launch day, on the khala preset (short periods) with a real node and workers.

The chain starts on the launch release (7): no sudo, no mining. A referendum carrying the
runtime upgrade passes and is enacted through the scheduler; the new release (8) brings the
mining code. A council motion (one ``batch_all``) allows the pRuntime measurement and changes
a tokenomic parameter; a second registers a gatekeeper and schedules
``set_mining_enabled(true)`` at block N; ``start_computing`` before N fails with
``MiningNotEnabled``; a third motion delays the timer to N + k; at N + k mining starts and the
first heartbeat earns a reward. A crowdloan contributor has 15 % free at genesis, vests, and
contributes vesting-locked PHA to a pool. Every event of every block, before and after the
upgrade, decodes through the metadata in substrate-interface.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from substrateinterface import SubstrateInterface

from khala.attestation.dev_pki import load_or_create
from khala.attestation.simulated_quote import simulated_measurement
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import encode
from khala.runtime.modules.computation.calls import SetMiningEnabled, UpdateTokenomicParameters
from khala.runtime.modules.computation.constants import SUBSIDY_ACCOUNT
from khala.runtime.modules.computation.tokenomics import GEMINI
from khala.runtime.modules.council.calls import Propose
from khala.runtime.modules.democracy.events import Enacted, Passed
from khala.runtime.modules.registry.calls import AddMeasurement, RegisterGatekeeper
from khala.runtime.modules.scheduler.calls import ScheduleNamed
from khala.runtime.modules.scheduler.events import Dispatched
from khala.runtime.modules.scheduler.types import task_id
from khala.runtime.modules.system.events import CodeUpdated
from khala.runtime.modules.utility.calls import BatchAll
from khala.runtime.presets import DEV
from khala.sdk import Client
from khala.sdk.mining import overview, session_status
from tests.integration.fleet import Fleet, block_events, info, ok, wait
from tests.integration.processes import cli, node, rpc
from tests.integration.substrate_tools import decode_every_block

PHA = 10**12
LAUNCH_RELEASE, MINING_RELEASE = 7, 8
SHORT_PERIODS = {
    "block_time_ms": DEV.block_time_ms,
    "cool_down_secs": DEV.cool_down_secs,
    "benchmark_blocks": DEV.benchmark_blocks,
    "heartbeats_per_hour": DEV.heartbeats_per_hour,
    "withdraw_grace_secs": DEV.withdraw_grace_secs,
    # long enough that much is still locked when the test stakes it, however long it ran
    "crowdloan_vesting_blocks": 3_000,
    "council_motion_blocks": 200,
    "democracy_launch_blocks": 10,
    "democracy_voting_blocks": 160,
    "democracy_enactment_blocks": 2,
    "democracy_lock_blocks": 10,
    "treasury_spend_blocks": 20,
}
"""The khala preset's constants shortened as on the dev preset (a test network)."""
ALICE, BOB, CHARLIE = (keypair_from_uri(f"//{name}") for name in ("Alice", "Bob", "Charlie"))
CROWD = keypair_from_uri("//Crowd")


def _hex(key: bytes) -> str:
    return "0x" + key.hex()


def _genesis(path: Path, pki: Path) -> Path:
    endowed = [
        [_hex(keypair_from_uri(f"//{name}").public_key), "1000000PHA"]
        for name in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")
    ]
    document = {
        "preset": "khala",
        "spec_version": LAUNCH_RELEASE,
        "preset_overrides": SHORT_PERIODS,
        # The mining module arrives by upgrade: the subsidy pot is endowed at genesis.
        "endowed": [*endowed, [_hex(SUBSIDY_ACCOUNT), "10000000PHA"]],
        "crowdloan": [[_hex(CROWD.public_key), "10000PHA"]],
        "council": [_hex(pair.public_key) for pair in (ALICE, BOB, CHARLIE)],
        "authorities": [
            {
                "finality_key": _hex(keypair_from_uri("//Alice", KeyScheme.ED25519).public_key),
                "account": _hex(ALICE.public_key),
            }
        ],
        "trusted_roots": [_hex(load_or_create(pki).root_der)],
    }
    path.write_text(json.dumps(document))
    return path


def _motion(url: str, call: Any) -> str:
    """Alice proposes ``call`` to the council (2 of 3), Bob votes aye, Charlie closes it."""
    client = Client(url)
    length = len(encode(call))
    receipt = client.submit(client.sign(ALICE, Propose(2, call, length)), wait="finalized")
    assert receipt.success, receipt.error
    motion = _hex(blake2_256(encode(call)))
    ok("gov", "council", "vote", motion, "--from", "//Bob", "--url", url)
    closed = ok("gov", "council", "close", motion, "--from", "//Charlie", "--url", url)
    assert (closed["outcome"], closed["result"]) == ("carried", "Ok"), closed
    return motion


def _spec_version(port: int) -> int:
    return int(rpc(port, "state_getRuntimeVersion")["specVersion"])


def test_khala_launch_day(tmp_path: Path) -> None:
    pki = tmp_path / "pki"
    genesis = _genesis(tmp_path / "genesis.json", pki)
    # archive: the test reads every block's events at the end (a busy machine may pass 256)
    with node(tmp_path / "chain", "--genesis", str(genesis), "--block-time", "0.5",
              "--state-pruning", "archive") as (_, port):  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        # The launch release: no sudo, no mining, and governance decides.
        releases = ok("gov", "upgrade", "--list", "--url", url)
        assert releases["running"] == LAUNCH_RELEASE
        no_sudo = cli("gov", "schedule-mining-start", "--in", "5", "--via", "sudo",
                      "--from", "//Alice", "--url", url, "--json")  # fmt: skip
        assert no_sudo.returncode != 0
        crowd = ok("vesting", "show", "//Crowd", "--url", url)
        assert crowd["schedules"][0]["locked"] == 8_500 * PHA  # 15 % of 10,000 PHA is free

        # Referendum #0 carries the upgrade; holders vote; it is enacted through the scheduler.
        proposed = ok("gov", "upgrade", "--spec-version", str(MINING_RELEASE),
                      "--via", "referendum", "--from", "//Bob", "--url", url)  # fmt: skip
        assert proposed["proposal_index"] == 0
        wait(
            "the referendum",
            lambda: len(ok("gov", "democracy", "list", "--url", url)["referenda"]) == 1,
        )
        # The three holders vote at once (three CLI processes signing while blocks land: this
        # once met a node validating against two heads, see tests/node/test_torn_head.py).
        with ThreadPoolExecutor(3) as voters:
            votes = [
                voters.submit(ok, "gov", "democracy", "vote", "0", "--balance",
                              "10000PHA" if extra else "500000PHA", *extra,
                              "--from", voter, "--url", url)
                for voter, extra in (("//Alice", []), ("//Charlie", []), ("//Dave", ["--nay"]))
            ]  # fmt: skip
            for vote in votes:
                vote.result()
        wait("the upgrade", lambda: _spec_version(port) == MINING_RELEASE, timeout=240)
        head = Client(url).head().number
        seen = [type(event) for _, event in block_events(url, 1, head)]
        for kind in (Passed, Dispatched, Enacted, CodeUpdated):
            assert kind in seen, kind
        assert seen.index(Passed) < seen.index(Enacted) < seen.index(CodeUpdated)
        status = ok("mining", "status", "--url", url)
        assert status["mining_enabled"] is False
        assert status["params"]["heartbeat_window"] == GEMINI.heartbeat_window

        # Motion A (one batch): allow the pRuntime, lengthen the heartbeat window.
        params = replace(GEMINI, heartbeat_window=2 * GEMINI.heartbeat_window)
        _motion(
            url,
            BatchAll([AddMeasurement(simulated_measurement()), UpdateTokenomicParameters(params)]),
        )
        assert ok("mining", "status", "--url", url)["params"]["heartbeat_window"] == 40

        fleet = Fleet(tmp_path, url, pki, names=("gk1", "m0"))
        try:
            fleet.relay()
            wait("registrations", lambda: len(Client(url).workers()) == 2, timeout=180)
            gatekeeper, miner = fleet.pubkey("gk1"), fleet.pubkey("m0")

            # Motion B (one batch): launch the gatekeeper, schedule the fair launch at N.
            # N leaves room for the master key, the benchmark and motion C on a busy machine
            launch = Client(url).head().number + 160
            schedule = ScheduleNamed(
                task_id("start-mining") or b"", launch, None, 0, SetMiningEnabled(True)
            )
            _motion(url, BatchAll([RegisterGatekeeper(bytes.fromhex(gatekeeper[2:])), schedule]))
            wait(
                "the master key",
                lambda: overview(Client(url)).master_pubkey is not None,
                timeout=120,
            )
            wait(
                "the benchmark",
                lambda: session_status(Client(url), bytes.fromhex(miner[2:])).to_json()["score"],
                timeout=120,
            )
            early = cli("worker", "start-computing", miner, "--stake", "3000PHA",
                        "--from", "//Bob", "--url", url, "--json")  # fmt: skip
            assert early.returncode == 1 and "computation.mining_not_enabled" in early.stdout

            # Motion C: the council delays the timer by k blocks.
            delayed = launch + 20
            moved = ok("gov", "reschedule", "start-mining", "--at", str(delayed),
                       "--via", "council", "--from", "//Alice", "--url", url)  # fmt: skip
            ok("gov", "council", "vote", moved["motion"], "--from", "//Bob", "--url", url)
            ok("gov", "council", "close", moved["motion"], "--from", "//Bob", "--url", url)
            assert ok("gov", "task", "--url", url)["at"] == delayed
            wait("block N", lambda: Client(url).head().number > launch, timeout=120)
            assert overview(Client(url)).enabled is False  # N passed: still off
            wait("block N + k", lambda: overview(Client(url)).enabled, timeout=120)
            assert Client(url).head().number >= delayed

            assert ok("worker", "start-computing", miner, "--stake", "3000PHA",
                      "--from", "//Bob", "--url", url)["success"]  # fmt: skip
            rewarded = ok("mining", "status", miner, "--wait-reward", "180", "--url", url)
            assert rewarded["total_reward"] > 0 and rewarded["unpaid_reward"] == 0

            # The crowdloan contributor stakes vesting-locked PHA in a pool.
            assert ok("vesting", "vest", "--from", "//Crowd", "--url", url)["success"]
            pid = ok("pool", "create", "--from", "//Bob", "--url", url)["pid"]
            ok(
                "pool",
                "contribute",
                str(pid),
                "--amount",
                "5000PHA",
                "--from",
                "//Crowd",
                "--url",
                url,
            )
            positions = ok("stake", "show", "//Crowd", "--url", url)["positions"]
            assert [p["value"] for p in positions] == [5_000 * PHA]
            assert ok("vesting", "show", "//Crowd", "--url", url)["locked_now"] > 1_500 * PHA
            assert info(fleet.ports["gk1"])["gatekeeper"]["holds_master_key"]
        finally:
            fleet.stop_all()

        # Blocks before and after the upgrade decode by their own metadata.
        ws = f"ws://127.0.0.1:{port}"
        decoded, _ = decode_every_block(url, SubstrateInterface(url=ws, ss58_format=30))
        modules = {module for module, _ in decoded}
        assert {"Democracy", "Scheduler", "System", "Council", "Utility", "Computation"} <= modules
