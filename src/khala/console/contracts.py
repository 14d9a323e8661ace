"""The contracts page: the chain's contracts, and the Web3 Analytics example's aggregates.

The contract list comes from ``PhatContracts.Contracts``. The analytics view asks a worker of
the contract's cluster, by encrypted signed queries, for views and unique visitors of a page
over a range of days: exactly what the contract lets anyone read. The console signs those
queries with a key it makes up at start (the aggregates are public; no account is needed), so
it still holds no secret that matters.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nicegui import run, ui

from khala.console.data import Collector
from khala.console.layout import line_chart, table
from khala.contracts.abi import InkMetadata
from khala.contracts.errors import AbiError
from khala.primitives.crypto import KeyScheme, keypair_from_seed
from khala.runtime.modules.phat import state as pst
from khala.sdk import SdkError
from khala.sdk.contracts import ContractInstance

ANALYTICS_METADATA = Path("examples/analytics/analytics.json")
"""The example's metadata, relative to where the console runs (the repository on a devnet)."""
_QUERY_KEY = keypair_from_seed(KeyScheme.SR25519, os.urandom(32))


def contracts_list(collector: Collector) -> list[dict[str, Any]]:
    """Every contract on chain: address, cluster, status, deployer."""
    client = collector.client
    prefix = "0x" + pst.CONTRACTS.prefix.hex()
    rows = []
    for key in client.rpc("state_getKeysPaged", prefix, 1000):
        raw = client.rpc("state_getStorage", key)
        info = pst.CONTRACTS.decode_value(bytes.fromhex(raw[2:]))
        if info is None:
            continue
        rows.append(
            {
                "address": "0x" + bytes.fromhex(key[2:])[-32:].hex(),
                "cluster": int.from_bytes(bytes(info.cluster), "big"),
                "status": info.status.name.lower(),
                "deployer": "0x" + bytes(info.deployer).hex()[:16] + "…",
            }
        )
    return rows


def analytics_rows(
    collector: Collector, address: str, metadata_path: Path, page: str, first_day: int, days: int
) -> list[dict[str, Any]]:
    """Views and unique visitors of ``page`` for ``days`` days from ``first_day``."""
    metadata = InkMetadata.load(metadata_path)
    contract = bytes.fromhex(address.strip().removeprefix("0x"))
    instance = ContractInstance(collector.client, metadata, contract, signer=_QUERY_KEY)
    rows = []
    for day in range(first_day, first_day + days):
        views = instance.query.views(page, day).value
        uniques = instance.query.uniques(page, day).value
        rows.append({"day": day, "views": views, "uniques": uniques})
    return rows


def contracts_page(collector: Collector) -> None:
    """Render the contract list and the analytics form."""
    listing = ui.column().classes("w-full")

    async def refresh() -> None:
        listing.clear()
        try:
            rows = await run.io_bound(contracts_list, collector)
        except (SdkError, OSError, ValueError) as error:
            with listing:
                ui.label(f"cannot list contracts: {error}")
            return
        with listing:
            table(rows, ["address", "cluster", "status", "deployer"], key="address").props(
                'data-testid="contracts"'
            )

    ui.timer(0.1, refresh, once=True)
    ui.label("Web3 Analytics").classes("text-xl font-semibold mt-4")
    ui.label(
        "Page views arrive as encrypted commands; the contract keeps only counts. These are "
        "read by encrypted queries to a worker of its cluster."
    )
    result = ui.column().classes("w-full")

    async def show() -> None:
        result.clear()
        try:
            rows = await run.io_bound(
                analytics_rows,
                collector,
                address.value,
                Path(metadata.value),
                page.value,
                int(first.value),
                int(count.value),
            )
        except (SdkError, AbiError, OSError, ValueError) as error:
            with result:
                ui.label(f"refused: {error}").classes("text-red-700").props(
                    'data-testid="analytics-error"'
                )
            return
        with result:
            table(rows, ["day", "views", "uniques"], key="day").props('data-testid="analytics"')
            series = {
                "views": [(float(r["day"]), r["views"]) for r in rows],
                "uniques": [(float(r["day"]), r["uniques"]) for r in rows],
            }
            line_chart(series, title=f"{page.value} per day")

    with ui.row().classes("items-end gap-4"):
        address = (
            ui.input("contract address (0x…)")
            .classes("w-96")
            .props('data-testid="analytics-address"')
        )
        page = ui.input("page", value="/").props('data-testid="analytics-page"')
        first = ui.number("first day", value=20000, format="%d").props(
            'data-testid="analytics-first-day"'
        )
        count = ui.number("days", value=7, min=1, max=60, format="%d")
        metadata = ui.input("metadata", value=str(ANALYTICS_METADATA)).classes("w-80")
        ui.button("show", on_click=show).props('data-testid="analytics-show"')
