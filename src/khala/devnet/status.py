"""What the devnet shows: one snapshot a second, as a rich view or a JSON line.

A snapshot reads only public interfaces: the node's RPC (through the SDK) and each worker's
public ``/info``; the supervisor adds its processes' states. Any read that fails (a process
restarting) leaves its part empty rather than stopping the view.
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from khala.devnet.supervisor import Supervisor
from khala.primitives.units import format_amount
from khala.sdk import Client, SdkError
from khala.sdk.mining import mining_start_block, overview, session_status
from khala.sdk.pools import pool_status

INFO_TIMEOUT_S = 2.0
"""How long a worker's ``/info`` may take before it is shown as unreachable."""


def worker_info(port: int) -> dict[str, Any] | None:
    """A worker's public ``/info``, or None while it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/info", timeout=INFO_TIMEOUT_S) as r:
            found: dict[str, Any] = json.loads(r.read())
            return found
    except (OSError, ValueError):
        return None


def collect(
    client: Client,
    supervisor: Supervisor,
    worker_ports: dict[str, int],
    seeded: list[str],
    pool_id: int | None,
    started: float,
    console_url: str | None,
) -> dict[str, Any]:
    """The devnet's state now (JSON-ready)."""
    snapshot: dict[str, Any] = {
        "uptime_s": round(time.monotonic() - started, 1),
        "console": console_url,
        "seeded": list(seeded),
        "processes": {
            name: {
                "state": p.state.value,
                "pid": p.pid,
                "restarts": p.restarts,
                "last_exit": p.last_exit,
            }
            for name, p in supervisor.processes.items()
        },
    }
    try:
        head = client.head().number
        facts = overview(client)
    except (SdkError, OSError):
        return snapshot
    launch = mining_start_block(client)
    snapshot.update(
        head=head,
        mining_enabled=facts.enabled,
        launch_at=launch,
        launch_in_blocks=None if launch is None else max(launch - head, 0),
        master_key=facts.master_pubkey is not None,
    )
    workers = {}
    rewards = 0
    gatekeepers = set(facts.gatekeepers)
    for name, port in worker_ports.items():
        info = worker_info(port)
        entry: dict[str, Any] = {"reachable": info is not None}
        if info is not None:
            entry["synced_height"] = info.get("synced_height")
            entry["pubkey"] = info.get("pubkey")
            key = bytes.fromhex(str(info["pubkey"])[2:])
            status = session_status(client, key).to_json()
            entry.update(
                {k: status[k] for k in ("state", "score", "v", "p_instant", "total_reward")}
            )
            entry["last_heartbeat"] = status["last_heartbeat_time"]
            rewards += status["total_reward"] or 0
            entry["gatekeeper"] = key in gatekeepers
        workers[name] = entry
    snapshot["workers"] = workers
    snapshot["rewards"] = rewards
    if pool_id is not None:
        found = pool_status(client, pool_id)
        if found is not None:
            record = found.info
            snapshot["pool"] = {
                "pid": pool_id,
                "value": record.total_value,
                "price": found.price,
                "shares": record.total_shares,
                "rewards": sum(w["total_reward"] for w in found.workers),
            }
    return snapshot


def render(snapshot: dict[str, Any]) -> RenderableType:
    """The live terminal view of a snapshot."""
    head = snapshot.get("head")
    title = Text.assemble(
        ("khala devnet", "bold"),
        f"  block #{head if head is not None else '…'}  up {snapshot['uptime_s']:.0f}s",
    )
    if snapshot.get("mining_enabled"):
        title.append("  mining: ON", style="green")
    elif snapshot.get("launch_at") is not None:
        title.append(
            f"  mining starts at #{snapshot['launch_at']} (in {snapshot['launch_in_blocks']} "
            "blocks)",
            style="yellow",
        )
    processes = Table("process", "state", "pid", "restarts", box=None, title="processes")
    for name, p in snapshot["processes"].items():
        style = {"running": "green", "restarting": "red"}.get(p["state"], "yellow")
        processes.add_row(
            name, Text(p["state"], style=style), str(p["pid"] or "–"), str(p["restarts"])
        )
    workers = Table(
        "worker",
        "sync",
        "state",
        "score",
        "V",
        "P",
        "last heartbeat",
        "reward",
        box=None,
        title="workers",
    )
    for name, w in snapshot.get("workers", {}).items():
        if not w.get("reachable"):
            workers.add_row(name, "–", Text("unreachable", style="red"), "", "", "", "", "")
            continue
        synced = max(int(w.get("synced_height") or 0), 0)
        bar = ProgressBar(total=max(head or 1, 1), completed=min(synced + 1, head or 0), width=12)
        if w.get("gatekeeper"):
            key = "holds the master key" if snapshot.get("master_key") else "waiting for the key"
            workers.add_row(name, bar, Text("gatekeeper", style="cyan"), key, "", "", "", "")
            continue
        workers.add_row(
            name,
            bar,
            str(w.get("state")),
            str(w.get("score") or "benchmarking…"),
            str(w.get("v") or "–"),
            str(w.get("p_instant") or "–"),
            str(w.get("last_heartbeat") or "–"),
            format_amount(w.get("total_reward") or 0),
        )
    parts: list[RenderableType] = [title, processes, workers]
    pool = snapshot.get("pool")
    if pool is not None:
        parts.append(
            Text(
                f"pool #{pool['pid']}: value {format_amount(pool['value'])}, share price "
                f"{pool['price']}, rewards {format_amount(pool['rewards'])}"
            )
        )
    parts.append(Text(f"rewards so far: {format_amount(snapshot.get('rewards', 0))}"))
    parts.append(Text("seeded: " + (", ".join(snapshot["seeded"]) or "…")))
    if snapshot.get("console"):
        parts.append(Text(f"console: {snapshot['console']}", style="bold cyan"))
    if snapshot.get("rpc"):
        parts.append(Text(f"node RPC (polkadot.js, khala --url): {snapshot['rpc']}"))
    parts.append(Text("Ctrl-C stops everything; run again to resume.", style="dim"))
    return Group(*parts)
