"""The console's pages.

Each renders from the collector's latest snapshot and re-renders whenever a new head brought
a new snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import run, ui

from khala.console.contracts import contracts_page
from khala.console.data import Collector
from khala.console.layout import frame, heartbeat_timeline, line_chart, table
from khala.console.staking import staking_page
from khala.primitives.ss58 import Ss58Error
from khala.primitives.units import format_amount
from khala.runtime.modules.vesting import state as vst
from khala.runtime.modules.vesting.schedules import locked_at
from khala.sdk import SdkError
from khala.sdk.core import account_id
from khala.sdk.mining import read

REFRESH_S = 1.0
"""How often a page checks for a new snapshot."""


def live(collector: Collector, render: Callable[[dict[str, Any]], None]) -> None:
    """Render ``render(snapshot)`` now and again whenever the head changes."""
    seen: dict[str, Any] = {"head": None}

    @ui.refreshable
    def section() -> None:
        """The page's body from the latest snapshot."""
        snapshot = collector.snapshot
        if not snapshot or "head" not in snapshot:
            ui.label("waiting for the node…").props('data-testid="waiting"')
            return
        render(snapshot)

    def tick() -> None:
        """Re-render when the head changed."""
        head = collector.snapshot.get("head")
        if head != seen["head"]:
            seen["head"] = head
            section.refresh()

    section()
    ui.timer(REFRESH_S, tick)


def register(collector: Collector) -> None:
    """Declare every page."""

    @ui.page("/")
    def overview() -> None:
        """Head, mining switch or launch countdown, rewards chart."""
        frame("Overview")

        def render(s: dict[str, Any]) -> None:
            ui.label(f"block #{s['head']}").props('data-testid="head"')
            launch = next(
                (t for t in s["governance"]["scheduled"] if t["name"] == "start-mining"), None
            )
            if s["mining_enabled"]:
                ui.label("mining: enabled").classes("text-green-700")
            elif launch is not None:
                ui.label(
                    f"mining starts at #{launch['at']}, in {launch['in_blocks']} blocks"
                ).props('data-testid="countdown"')
            ui.label(f"{s['online_workers']} workers computing; subsidy left {s['subsidy_left']}")
            line_chart(
                {"rewards (PHA)": list(collector.history.get("rewards", []))},
                title="rewards over time",
            )

        live(collector, render)

    @ui.page("/explorer")
    def explorer() -> None:
        """Recent blocks; search by number, hash or address."""
        frame("Explorer")
        result = ui.column().classes("w-full")

        async def search(text: str) -> None:
            result.clear()
            with result:
                try:
                    found = await run.io_bound(_lookup, collector, text.strip())
                except (SdkError, Ss58Error, ValueError) as error:
                    ui.label(f"not found: {error}").classes("text-red-700")
                    return
                _show(found)

        box = ui.input("search: block number, block hash or address").classes("w-full")
        box.on("keydown.enter", lambda: search(box.value))

        def render(s: dict[str, Any]) -> None:
            rows = [
                {
                    "number": b["number"],
                    "hash": b["hash"][:18] + "…",
                    "extrinsics": ", ".join(x["call"] for x in b["extrinsics"]),
                    "events": len(b["events"]),
                }
                for b in s["blocks"]
            ]
            table(rows, ["number", "hash", "extrinsics", "events"], key="number").props(
                'data-testid="blocks"'
            )

        live(collector, render)

    @ui.page("/mining")
    def mining() -> None:
        """Workers, V and rewards charts, the heartbeat timeline."""
        frame("Mining")

        def render(s: dict[str, Any]) -> None:
            rows = [
                {
                    **w,
                    "pubkey": (w["pubkey"] or "")[:14] + "…",
                    "role": "gatekeeper" if w["gatekeeper"] else "worker",
                    "reward": w["reward"] / 10**12,
                }
                for w in s["workers"]
            ]
            table(
                rows,
                [
                    "name",
                    "role",
                    "state",
                    "confidence",
                    "score",
                    "v",
                    "p",
                    "last_heartbeat",
                    "reward",
                ],
                key="name",
            ).props('data-testid="workers"')
            v_series = {k[2:]: list(v) for k, v in collector.history.items() if k.startswith("v:")}
            line_chart(v_series, title="V per worker")
            line_chart(
                {"rewards (PHA)": list(collector.history.get("rewards", []))},
                title="rewards over time",
            )
            heartbeat_timeline(s["blocks"])

        live(collector, render)

    @ui.page("/pools")
    def pools() -> None:
        """Every pool with its books and APR; the share price chart."""
        frame("Pools")

        def render(s: dict[str, Any]) -> None:
            rows = [
                {
                    "pid": p["pid"],
                    "owner": p["owner"][:10] + "…",
                    "value": p["total_value_pha"],
                    "shares": p["total_shares"],
                    "price": p["price"],
                    "commission": p["commission_percent"] + " %",
                    "cap": p["cap_pha"] or "none",
                    "workers": len(p["workers"]),
                    "withdrawals": len(p["withdraw_queue"]),
                    "apr": p.get("apr") or "–",
                }
                for p in s["pools"]
            ]
            table(
                rows,
                [
                    "pid",
                    "owner",
                    "value",
                    "shares",
                    "price",
                    "commission",
                    "cap",
                    "workers",
                    "withdrawals",
                    "apr",
                ],
                key="pid",
            ).props('data-testid="pools"')
            prices = {
                f"pool {k[6:]}": list(v)
                for k, v in collector.history.items()
                if k.startswith("price:")
            }
            line_chart(prices, title="share price")

        live(collector, render)

    @ui.page("/staking")
    def staking() -> None:
        """Contribute or withdraw (dev keyring), or submit a signed extrinsic."""
        frame("Staking")
        staking_page(collector)

    @ui.page("/governance")
    def governance() -> None:
        """Scheduled calls, council motions, referenda."""
        frame("Governance")

        def render(s: dict[str, Any]) -> None:
            g = s["governance"]
            ui.label("scheduled calls").classes("font-semibold")
            table(g["scheduled"], ["name", "call", "at", "in_blocks"], key="name").props(
                'data-testid="scheduled"'
            )
            ui.label("council motions").classes("font-semibold")
            table(g["motions"], ["index", "call", "ayes", "threshold", "end"], key="index")
            ui.label("referenda").classes("font-semibold")
            table(
                g["referenda"], ["index", "call", "ayes", "nays", "turnout", "ends_in"], key="index"
            )

        live(collector, render)

    @ui.page("/gatekeepers")
    def gatekeepers() -> None:
        """The master key, the gatekeepers, the last settlement."""
        frame("Gatekeepers")

        def render(s: dict[str, Any]) -> None:
            key = s["master_key"]
            ui.label(f"master key: {key or 'not published yet'}").props('data-testid="master-key"')
            ui.label(f"gatekeepers: {len(s['gatekeepers'])}")
            for gk in s["gatekeepers"]:
                ui.label(gk).classes("font-mono text-sm")
            ui.label(f"last settlement in block #{s['last_settled_block']}")

        live(collector, render)

    @ui.page("/contracts")
    def contracts() -> None:
        """The chain's contracts; the analytics example's aggregates."""
        frame("Contracts")
        contracts_page(collector)

    @ui.page("/vesting")
    def vesting() -> None:
        """An account's vesting schedules."""
        frame("Vesting")
        result = ui.column().classes("w-full")

        async def show(text: str) -> None:
            result.clear()
            with result:
                try:
                    found = await run.io_bound(_vesting, collector, text.strip())
                except (SdkError, Ss58Error, ValueError) as error:
                    ui.label(f"not found: {error}").classes("text-red-700")
                    return
                table(
                    found,
                    ["locked", "per_block", "starting_block", "locked_now"],
                    key="starting_block",
                )

        box = ui.input("account (address or //Name)", value="//Crowdloan").classes("w-full")
        ui.button("show", on_click=lambda: show(box.value))


def _lookup(collector: Collector, text: str) -> dict[str, Any]:
    if text.isdigit():
        return {"block": collector.block(int(text))}
    if text.startswith("0x") and len(text) == 66:
        try:
            return {"block": collector.block(bytes.fromhex(text[2:]))}
        except SdkError:
            pass
    return {"account": collector.account(account_id(text))}


def _show(found: dict[str, Any]) -> None:
    if "block" in found:
        block = found["block"]
        ui.label(f"block #{block['number']} {block['hash']}")
        table(
            [{"i": i, **x} for i, x in enumerate(block["extrinsics"])],
            ["i", "call", "signer"],
            key="i",
        )
        table(
            [{"i": i, "event": e} for i, e in enumerate(block["events"])], ["i", "event"], key="i"
        )
    else:
        account = found["account"]
        ui.label(
            f"{account['address']}: free {account['free']}, reserved {account['reserved']}, "
            f"frozen {account['frozen']}"
        )
        table(account["locks"], ["id", "amount"], key="id")


def _vesting(collector: Collector, text: str) -> list[dict[str, Any]]:

    head = collector.client.head().number
    return [
        {
            "locked": format_amount(s.locked),
            "per_block": format_amount(s.per_block),
            "starting_block": s.starting_block,
            "locked_now": format_amount(locked_at(s, head)),
        }
        for s in read(collector.client, vst.VESTING, account_id(text))
    ]
