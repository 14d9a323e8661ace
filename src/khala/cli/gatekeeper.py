"""``khala gatekeeper``: the gatekeepers as the chain sees them."""

from __future__ import annotations

import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.output import emit, reported_errors
from khala.sdk import Client
from khala.sdk.mining import overview

app = typer.Typer(
    help="Gatekeepers: registered keys, the master public key, settlement progress.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@app.command("status")
def status(url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show the gatekeepers, the master public key and the last settled block."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        facts = overview(client)
        head = client.head().number
        keys = ["0x" + key.hex() for key in facts.gatekeepers]
        master = None if facts.master_pubkey is None else "0x" + facts.master_pubkey.hex()
        payload = {
            "gatekeepers": keys,
            "master_pubkey": master,
            "last_settled_block": facts.last_settled_block,
            "head": head,
            "settlement_lag_blocks": head - facts.last_settled_block
            if facts.last_settled_block
            else None,
        }

        def text() -> str:
            listed = "\n".join(f"  {key}" for key in keys) or "  (none)"
            return (
                f"gatekeepers:\n{listed}\nmaster pubkey: {master or 'not published'}\n"
                f"last settled block: {facts.last_settled_block} (head {head})"
            )

        emit(payload, as_json=as_json, text=text)
