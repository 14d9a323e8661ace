"""What the console shows: a snapshot of the chain and the workers, plus short histories.

A :class:`Collector` reads the node through the SDK (blocking calls, run in a thread) and the
workers' public ``/info``; each refresh (on every new head) replaces the snapshot and appends
a point to each history (rewards, share prices, V per worker), keeping the last
:data:`HISTORY_POINTS`.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from khala.primitives.scale import codec_of
from khala.primitives.ss58 import ss58_encode
from khala.primitives.units import format_amount
from khala.runtime.events import EventRecord
from khala.runtime.extrinsic import decode_extrinsic
from khala.runtime.metadata_names import snake
from khala.runtime.modules.balances.state import LOCKS
from khala.runtime.modules.council import state as council_state
from khala.runtime.modules.democracy.types import Ongoing
from khala.runtime.modules.sudo import state as sudo_state
from khala.runtime.outer import module_index_of
from khala.runtime.table import RUNTIME
from khala.sdk import Client, SdkError
from khala.sdk.core import EVENTS_KEY
from khala.sdk.estimates import pool_apr_ppm
from khala.sdk.governance import referenda
from khala.sdk.mining import agenda, overview, read, session_status
from khala.sdk.pools import pool_count, pool_status

HISTORY_POINTS = 300
"""Points kept per chart (five minutes of 1 s blocks)."""
RECENT_BLOCKS = 12
"""Blocks listed on the explorer's front page."""
_EVENTS = codec_of(list[EventRecord])


def call_name(call: Any) -> str:
    """``Module.call_name`` of a decoded call (FRAME's snake case)."""
    index = module_index_of("call", call)
    module = None if index is None else RUNTIME.module(index)
    return f"{module.name if module else '?'}.{snake(type(call).__name__)}"


def event_name(event: Any) -> str:
    """``Module.Event`` of a decoded event."""
    index = module_index_of("event", event)
    module = None if index is None else RUNTIME.module(index)
    return f"{module.name if module else '?'}.{type(event).__name__}"


def worker_info(url: str) -> dict[str, Any] | None:
    """A worker's public ``/info`` (None while it does not answer, or for a non-HTTP URL)."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        with urllib.request.urlopen(f"{url}/info", timeout=2) as response:  # noqa: S310
            found: dict[str, Any] = json.loads(response.read())
            return found
    except (OSError, ValueError):
        return None


@dataclass
class Collector:
    """Reads the network for the pages."""

    client: Client
    """The node."""
    worker_urls: list[str]
    """Workers' public API URLs (for names and sync heights)."""
    snapshot: dict[str, Any] = field(default_factory=dict)
    """The latest snapshot (empty until the first refresh)."""
    history: dict[str, deque[tuple[float, Any]]] = field(default_factory=dict)
    """Series name -> (unix time, value) points."""

    def _point(self, series: str, value: Any) -> None:
        points = self.history.setdefault(series, deque(maxlen=HISTORY_POINTS))
        points.append((time.time(), value))

    def refresh(self) -> dict[str, Any]:
        """Read everything once; returns (and keeps) the snapshot."""
        client = self.client
        try:
            head = client.head()
        except (SdkError, OSError) as error:
            self.snapshot = {**self.snapshot, "error": str(error)}
            return self.snapshot
        facts = overview(client)
        workers = self._workers(facts.gatekeepers)
        pools = self._pools()
        snapshot: dict[str, Any] = {
            "head": head.number,
            "head_hash": "0x" + head.block_hash.hex(),
            "dev": read(client, sudo_state.KEY) is not None,
            "mining_enabled": facts.enabled,
            "online_workers": facts.online_workers,
            "master_key": None if facts.master_pubkey is None else "0x" + facts.master_pubkey.hex(),
            "gatekeepers": ["0x" + key.hex() for key in facts.gatekeepers],
            "last_settled_block": facts.last_settled_block,
            "subsidy_left": format_amount(facts.subsidy_free),
            "workers": workers,
            "pools": pools,
            "blocks": self.recent_blocks(head.number),
            "governance": self._governance(head.number),
        }
        rewards = sum(w["reward"] for w in workers)
        self._point("rewards", rewards / 10**12)
        for pool in pools:
            self._point(f"price:{pool['pid']}", float(pool["price"]))
        for worker in workers:
            if worker["v"] is not None:
                self._point(f"v:{worker['name']}", float(worker["v"]))
        self.snapshot = snapshot
        return snapshot

    def _workers(self, gatekeepers: list[bytes]) -> list[dict[str, Any]]:
        rows = []
        for position, url in enumerate(self.worker_urls):
            info = worker_info(url)
            name = url.rsplit(":", 1)[-1]
            if info is None:
                rows.append({"name": f"worker @{name}", "reachable": False, "pubkey": None,
                             "state": "unreachable", "score": None, "confidence": None,
                             "v": None, "p": None, "reward": 0, "last_heartbeat": None,
                             "gatekeeper": False, "synced": None})  # fmt: skip
                continue
            key = bytes.fromhex(str(info["pubkey"])[2:])
            status = session_status(self.client, key).to_json()
            rows.append(
                {
                    "name": f"worker {position + 1}",
                    "reachable": True,
                    "pubkey": info["pubkey"],
                    "gatekeeper": key in gatekeepers,
                    "synced": info.get("synced_height"),
                    "state": status["state"],
                    "score": status["score"],
                    "confidence": status["confidence_level"],
                    "v": status["v"],
                    "p": status["p_instant"],
                    "reward": status["total_reward"] or 0,
                    "last_heartbeat": status["last_heartbeat_time"],
                }
            )
        return rows

    def _pools(self) -> list[dict[str, Any]]:
        now = int(time.time())
        found = []
        for pid in range(pool_count(self.client)):
            status = pool_status(self.client, pid)
            if status is not None:
                apr = pool_apr_ppm(self.client, status.info)
                row = status.to_json(now)
                row["apr"] = None if apr is None else f"{apr / 10_000:.2f} %"
                found.append(row)
        return found

    def recent_blocks(self, head: int) -> list[dict[str, Any]]:
        """The last blocks: number, hash, extrinsic calls and events."""
        return [self.block(number) for number in range(head, max(head - RECENT_BLOCKS, 0), -1)]

    def block(self, at: int | bytes) -> dict[str, Any]:
        """One block with its extrinsics' calls and its events, decoded.

        Raises:
            SdkError: For an unknown block.
        """
        info = self.client.block(at)
        raw = self.client.rpc(
            "state_getStorage", "0x" + EVENTS_KEY.hex(), "0x" + info.block_hash.hex()
        )
        events = [] if raw is None else _EVENTS.decode(bytes.fromhex(raw[2:]))
        calls = []
        for extrinsic in info.extrinsics:
            decoded = decode_extrinsic(extrinsic)
            signer = None if decoded.signature is None else decoded.signature.signer
            account = getattr(signer, "account", None)
            calls.append(
                {
                    "call": call_name(decoded.call),
                    "signer": None if account is None else ss58_encode(bytes(account)),
                }
            )
        return {
            "number": info.number,
            "hash": "0x" + info.block_hash.hex(),
            "extrinsics": calls,
            "events": [event_name(record.event) for record in events],
        }

    def account(self, address: bytes) -> dict[str, Any]:
        """An account's balances and locks."""
        data = self.client.account(address).data
        locks = read(self.client, LOCKS, address)
        return {
            "address": ss58_encode(address),
            "free": format_amount(data.free),
            "reserved": format_amount(data.reserved),
            "frozen": format_amount(data.frozen),
            "locks": [
                {
                    "id": bytes(lock.id).decode(errors="replace"),
                    "amount": format_amount(lock.amount),
                }
                for lock in locks
            ],
        }

    def _governance(self, head: int) -> dict[str, Any]:
        client = self.client
        motions = []
        for digest in read(client, council_state.PROPOSALS):
            votes = read(client, council_state.VOTING, bytes(digest))
            call = read(client, council_state.PROPOSAL_OF, bytes(digest))
            if votes is not None:
                motions.append(
                    {
                        "index": votes.index,
                        "call": call_name(call) if call is not None else "?",
                        "ayes": len(votes.ayes),
                        "threshold": votes.threshold,
                        "end": votes.end,
                    }
                )
        rows = []
        for item in referenda(client):
            if not isinstance(item.info, Ongoing):
                continue
            status = item.info.status
            rows.append(
                {
                    "index": item.index,
                    "call": call_name(item.call) if item.call is not None else "?",
                    "ayes": format_amount(status.tally.ayes),
                    "nays": format_amount(status.tally.nays),
                    "turnout": format_amount(status.tally.turnout),
                    "ends_in": status.end - head,
                }
            )
        tasks = [
            {
                "name": task.name or "(unnamed)",
                "call": call_name(task.call),
                "at": task.when,
                "in_blocks": task.when - head,
            }
            for task in agenda(client)
        ]
        return {"motions": motions, "referenda": rows, "scheduled": tasks}
