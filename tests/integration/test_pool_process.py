"""A stake pool with real processes: node, a gatekeeper, three workers and a relayer (dev).

//Bob creates a pool with 10 % commission and a cap, adds three workers; //Charlie and //Eve
delegate; the workers compute with the pool's stake; rewards raise the share price and the
owner's commission is exactly 10 % (Permill rounding) of each payout. Then //Charlie asks for
everything back, more than the free stake: after the grace period anyone forces the shutdown,
the workers cool down, reclaims pay the queue.
"""

from __future__ import annotations

import time
from pathlib import Path

from khala.primitives.fixed_point import ONE
from khala.runtime.modules.stake_pool import events as ev
from khala.runtime.modules.stake_pool.math import permill_of, share_price
from khala.sdk import Client
from khala.sdk.core import account_id
from khala.sdk.mining import overview, session_status
from khala.sdk.pools import pool_status, positions
from tests.integration.fleet import Fleet, block_events, dev_genesis_file, info, ok, wait
from tests.integration.processes import node

PHA = 10**12
MINERS = ("m0", "m1", "m2")
CHARLIE = account_id("//Charlie")
GRACE_S = 15
"""The withdrawal grace period of this chain (dev's 60 s, shortened by the genesis)."""
COOL_DOWN_S = 10
"""The cool-down of this chain (dev's 30 s, shortened by the genesis)."""


def test_pool_end_to_end(tmp_path: Path) -> None:
    pki = tmp_path / "pki"
    genesis = dev_genesis_file(
        tmp_path / "genesis.json", pki, withdraw_grace_secs=GRACE_S, cool_down_secs=COOL_DOWN_S
    )
    with node(tmp_path / "chain", "--genesis", str(genesis), "--dev-pki", str(pki),
              "--block-time", "0.5") as (_, port):  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        at = f"--url={url}"
        fleet = Fleet(tmp_path, url, pki, names=("gk1", *MINERS))
        try:
            wait(
                "workers up",
                lambda: all(info(p)["synced_height"] >= -1 for p in fleet.ports.values()),
            )
            fleet.relay()
            wait("registrations", lambda: len(Client(url).workers()) == 4)
            keys = {name: fleet.pubkey(name) for name in fleet.ports}
            ok("gov", "register-gatekeeper", keys["gk1"], at)
            ok("gov", "schedule-mining-start", "--in", "20", at)
            assert ok("pool", "create", "--from", "//Bob", at)["pid"] == 0
            ok("pool", "set-commission", "0", "10%", "--from", "//Bob", at)
            ok("pool", "set-cap", "0", "20000PHA", "--from", "//Bob", at)

            def scored() -> bool:
                found = [session_status(Client(url), bytes.fromhex(keys[m][2:])) for m in MINERS]
                return all(s.info is not None and s.info.initial_score for s in found)

            wait("benchmarks", scored)
            for miner in MINERS:
                ok("pool", "add-worker", "0", keys[miner], "--from", "//Bob", at)
            ok("pool", "contribute", "0", "--amount", "6000PHA", "--from", "//Charlie", at)
            ok("pool", "contribute", "0", "--amount", "4000PHA", "--from", "//Eve", at)
            wait("the launch", lambda: overview(Client(url)).enabled, timeout=180)
            first = Client(url).head().number
            for miner in MINERS:
                ok("pool", "start-computing", "0", keys[miner], "--stake", "3000PHA",
                   "--from", "//Bob", at)  # fmt: skip

            def rewarded() -> bool:
                status = pool_status(Client(url), 0)
                return status is not None and all(w["total_reward"] > 0 for w in status.workers)

            wait("rewards for every pool worker", rewarded, timeout=180)
            apr = ok("pool", "show", "0", at)["estimated_apr_percent"]
            assert apr is not None and apr != "0.0000"  # three workers computing
            ok("gov", "pause-heartbeats", at)  # no more payouts: the books can be compared
            time.sleep(3)
            status = pool_status(Client(url), 0)
            assert status is not None
            last = Client(url).head().number
            received = [
                e for _, e in block_events(url, first, last) if isinstance(e, ev.RewardReceived)
            ]
            assert received and all(
                e.to_owner == permill_of(100_000, e.to_owner + e.to_stakers) for e in received
            )
            assert status.owner_rewards == sum(e.to_owner for e in received)
            assert status.info.total_value == 10_000 * PHA + sum(e.to_stakers for e in received)
            price = share_price(status.info.total_value, status.info.total_shares)
            assert price is not None and price > ONE
            assert status.free_stake == 1_000 * PHA + sum(e.to_stakers for e in received)

            ok("pool", "withdraw", "0", "--all", "--from", "//Charlie", at)
            queued = pool_status(Client(url), 0)
            assert queued is not None and len(queued.info.withdraw_queue) == 1
            time.sleep(GRACE_S + 2)
            forced = ok("pool", "force-withdraw-check", "0", "--from", "//Ferdie", at)
            assert forced["stopped"] == 3
            time.sleep(COOL_DOWN_S + 2)
            for miner in MINERS:
                ok("pool", "reclaim", "0", keys[miner], "--from", "//Ferdie", at)
            done = pool_status(Client(url), 0)
            assert done is not None and done.info.withdraw_queue == []
            assert [p.pid for p in positions(Client(url), CHARLIE)] == []
            assert all(w["stake"] == 0 for w in done.workers)
        finally:
            fleet.stop_all()
