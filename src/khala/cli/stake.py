"""``khala stake``: what an account holds in stake pools and vaults."""

from __future__ import annotations

import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.output import emit, reported_errors
from khala.primitives.ss58 import ss58_encode
from khala.primitives.units import UNITS_PER_PHA, format_amount
from khala.sdk import Client
from khala.sdk import pools as sp
from khala.sdk import vaults as sv
from khala.sdk.core import account_id

app = typer.Typer(
    help="Staking positions: shares in each pool and vault, and what they are worth.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@app.command("show")
def show(
    who: str = typer.Argument(..., help="An account: SS58, 0x or a dev URI such as //Bob."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show an account's positions: shares, queued shares and their value at each pool's price."""
    with reported_errors(as_json=as_json):
        key = account_id(who)
        client = Client(url)
        found = sp.positions(client, key)
        in_vaults = sv.vault_positions(client, key)
        total = sum(position.value for position in [*found, *in_vaults])
        payload = {
            "account": ss58_encode(key),
            "positions": [position.to_json() for position in found],
            "vault_positions": [position.to_json() for position in in_vaults],
            "total_value": total,
            "total_value_pha": format_amount(total),
        }
        emit(
            payload,
            as_json=as_json,
            text=lambda: "\n".join(
                [
                    f"pool #{p.pid:<4} {p.shares / UNITS_PER_PHA:,.4f} shares"
                    + (f" (+{p.queued / UNITS_PER_PHA:,.4f} queued)" if p.queued else "")
                    + f"  worth {format_amount(p.value)}"
                    for p in found
                ]
                + [
                    f"vault #{p.pid:<3} {p.shares / UNITS_PER_PHA:,.4f} shares"
                    + (f" (+{p.queued / UNITS_PER_PHA:,.4f} queued)" if p.queued else "")
                    + f"  worth {format_amount(p.value)}"
                    for p in in_vaults
                ]
                + [f"total      {format_amount(total)}"]
            ),
        )
