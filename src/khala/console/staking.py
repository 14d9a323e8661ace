"""The staking page: contribute to or withdraw from a pool.

On a dev chain (one with a sudo key) the page signs with the dev keyring — //Alice to
//Ferdie, keys everyone knows — so a newcomer can stake from the browser. On any chain a user
may paste an extrinsic signed elsewhere (``khala tx sign``, polkadot.js), which the page only
submits: the console holds no secret of its own.
"""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from khala.console.data import Collector
from khala.primitives.crypto import keypair_from_uri
from khala.primitives.units import AmountError, parse_amount
from khala.runtime.genesis import DEV_ACCOUNTS
from khala.sdk import SdkError
from khala.sdk.pools import Contribute, Withdraw, positions

DEV_KEYRING = tuple(f"//{name}" for name in DEV_ACCOUNTS)
"""The dev accounts the page may sign with on dev chains."""


def _act(collector: Collector, who: str, pid: int, amount_text: str, withdraw: bool) -> str:
    """Sign and submit a contribution or withdrawal; the outcome as a sentence."""
    amount = parse_amount(amount_text)
    pair = keypair_from_uri(who)
    client = collector.client
    if withdraw:
        held = next((p for p in positions(client, pair.public_key) if p.pid == pid), None)
        if held is None or not held.value:
            return f"{who} holds nothing in pool #{pid}"
        shares = min(held.shares, held.shares * amount // held.value)
        call: Any = Withdraw(pid, shares)
    else:
        call = Contribute(pid, amount)
    receipt = client.submit(client.sign(pair, call), wait="finalized")
    verb = "withdrawal" if withdraw else "contribution"
    if receipt.success is False:
        return f"{verb} failed: {receipt.error}"
    return f"{verb} of {amount_text} by {who} included in block #{receipt.block_number}"


def _submit_raw(collector: Collector, text: str) -> str:
    raw = bytes.fromhex(text.strip().removeprefix("0x"))
    receipt = collector.client.submit(raw, wait="finalized")
    outcome = "succeeded" if receipt.success else f"failed: {receipt.error}"
    return f"extrinsic {outcome} in block #{receipt.block_number}"


def staking_page(collector: Collector) -> None:
    """Render the staking forms."""
    snapshot = collector.snapshot
    pools = [p["pid"] for p in snapshot.get("pools", [])] or [0]
    outcome = ui.label("").props('data-testid="staking-outcome"')

    async def act(withdraw: bool) -> None:
        outcome.text = "submitting…"
        try:
            outcome.text = await run.io_bound(
                _act, collector, account.value, int(pool.value), amount.value, withdraw
            )
        except (AmountError, SdkError, OSError) as error:
            outcome.text = f"refused: {error}"

    if snapshot.get("dev"):
        with ui.row().classes("items-end gap-4"):
            account = ui.select(list(DEV_KEYRING), value="//Charlie", label="account").props(
                'data-testid="account"'
            )
            pool = ui.select(pools, value=pools[0], label="pool").classes("w-24")
            pool.props('data-testid="pool"')
            amount = ui.input("amount", value="1000PHA").props('data-testid="amount"')
            ui.button("contribute", on_click=lambda: act(False)).props('data-testid="contribute"')
            ui.button("withdraw", on_click=lambda: act(True)).props('data-testid="withdraw"')
    else:
        ui.label("This chain has no dev keyring: sign elsewhere and paste the extrinsic below.")

    async def submit() -> None:
        outcome.text = "submitting…"
        try:
            outcome.text = await run.io_bound(_submit_raw, collector, raw.value)
        except (SdkError, ValueError, OSError) as error:
            outcome.text = f"refused: {error}"

    raw = ui.textarea("a signed extrinsic (0x…)").classes("w-full")
    ui.button("submit", on_click=submit)
