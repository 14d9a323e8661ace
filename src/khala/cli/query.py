"""``khala query``: read chain state."""

from __future__ import annotations

import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.output import emit, reported_errors, with_pha
from khala.primitives.units import format_amount
from khala.sdk import Client

app = typer.Typer(help="Read chain state.", no_args_is_help=True, rich_markup_mode="markdown")


@app.command("balance")
def balance(
    address: str = typer.Argument(..., help="An SS58 address or 0x account id."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show an account's balances and nonce (--json: planck, and the same as PHA strings)."""
    with reported_errors(as_json=as_json):
        info = Client(url).account(address)
        data = info.data
        payload = with_pha(
            {
                "address": address,
                "free": data.free,
                "reserved": data.reserved,
                "frozen": data.frozen,
                "nonce": info.nonce,
            },
            "free",
            "reserved",
            "frozen",
        )
        emit(
            payload,
            as_json=as_json,
            text=lambda: (
                f"free      {format_amount(data.free)}\nreserved  {format_amount(data.reserved)}\n"
                f"frozen    {format_amount(data.frozen)}\nnonce     {info.nonce}"
            ),
        )
