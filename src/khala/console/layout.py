"""The console's frame: header, navigation, and small rendering helpers shared by the pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nicegui import ui

PAGES = (
    ("/", "Overview"),
    ("/explorer", "Explorer"),
    ("/mining", "Mining"),
    ("/pools", "Pools"),
    ("/staking", "Staking"),
    ("/governance", "Governance"),
    ("/gatekeepers", "Gatekeepers"),
    ("/vesting", "Vesting"),
    ("/contracts", "Contracts"),
)
"""Every page, in the navigation's order."""


def frame(title: str) -> None:
    """The header with the navigation, and the page title."""
    with ui.header().classes("items-center gap-4 bg-slate-800"):
        ui.label("khala console").classes("text-lg font-bold")
        for path, name in PAGES:
            ui.link(name, path).classes("text-white").props(f'data-page="{name.lower()}"')
    ui.label(title).classes("text-2xl font-semibold mt-2")


def table(rows: Iterable[dict[str, Any]], columns: list[str], *, key: str) -> ui.table:
    """A table of ``rows`` showing ``columns`` (each row's ``key`` identifies it)."""
    return ui.table(
        columns=[
            {"name": c, "label": c.replace("_", " "), "field": c, "align": "left"} for c in columns
        ],
        rows=list(rows),
        row_key=key,
    ).classes("w-full")


def line_chart(series: dict[str, list[tuple[float, Any]]], *, title: str) -> ui.echart:
    """An ECharts line chart of time series (unix seconds -> value)."""
    return ui.echart(
        {
            "animation": False,
            "title": {"text": title, "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 22},
            "xAxis": {"type": "time"},
            "yAxis": {"type": "value", "scale": True},
            "series": [
                {
                    "name": name,
                    "type": "line",
                    "showSymbol": False,
                    "data": [[int(t * 1000), v] for t, v in points],
                }
                for name, points in series.items()
            ],
        }
    ).classes("w-full h-64")


HEARTBEAT = "Computation.HeartbeatReceived"
"""The event a worker's answered challenge leaves in its block."""
SETTLED = "Computation.SessionSettled"
"""The event of a settled (rewarded) session."""


def heartbeat_timeline(blocks: list[dict[str, Any]]) -> ui.echart:
    """Heartbeats and settlements per recent block (a bar per block)."""
    ordered = sorted(blocks, key=lambda block: block["number"])
    return ui.echart(
        {
            "animation": False,
            "title": {"text": "heartbeat timeline", "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 22},
            "xAxis": {"type": "category", "data": [b["number"] for b in ordered]},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {"name": label, "type": "bar", "data": [b["events"].count(event) for b in ordered]}
                for label, event in (("heartbeats", HEARTBEAT), ("settlements", SETTLED))
            ],
        }
    ).classes("w-full h-48")
