"""``khala tx``: sign and submit transactions."""

from __future__ import annotations

from enum import StrEnum

import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.output import emit, reported_errors
from khala.cli.signer import signer
from khala.primitives.ss58 import ss58_encode
from khala.primitives.units import format_amount, parse_amount
from khala.sdk import Client
from khala.sdk.core import account_id

app = typer.Typer(
    help="Sign and submit transactions.", no_args_is_help=True, rich_markup_mode="markdown"
)


class WaitFor(StrEnum):
    """``--wait`` choices."""

    NONE = "none"
    """Return once the node accepted the transaction."""
    IN_BLOCK = "in-block"
    """Wait until a block includes it."""
    FINALIZED = "finalized"
    """Wait until that block is final."""


@app.command("transfer")
def transfer(
    sender: str = typer.Option(
        ..., "--from", help="Sender's secret URI, e.g. //Alice or a mnemonic."
    ),
    dest: str = typer.Option(..., "--to", help="Receiver: SS58 address, 0x account id or //Dev."),
    amount: str = typer.Option(
        ..., "--amount", help="Amount with its unit: 1.5PHA, or 1500000000000planck."
    ),
    keep_alive: bool = typer.Option(
        False, "--keep-alive", help="Fail instead of reaping the sender below 0.01 PHA."
    ),
    tip: str = typer.Option("0", "--tip", help="Tip for the block author (priority)."),
    immortal: bool = typer.Option(
        False,
        "--immortal",
        help="Sign without an era: valid forever, so a copy can be replayed if the sender's "
        "account is ever reaped and refunded. Default: valid for 64 blocks.",
    ),
    wait: WaitFor = typer.Option(WaitFor.FINALIZED, "--wait", help="How long to wait."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Transfer PHA.

    Example: `khala tx transfer --from //Alice --to ADDRESS --amount 1.5PHA --wait finalized`
    """
    with reported_errors(as_json=as_json):
        pair = signer(sender)
        units = parse_amount(amount, require_unit=True)
        recipient = ss58_encode(account_id(dest))
        if immortal:
            typer.echo(
                "warning: an immortal transaction can be replayed after the sender's account "
                "is reaped and refunded",
                err=True,
            )
        receipt = Client(url).transfer(
            pair,
            dest,
            units,
            keep_alive=keep_alive,
            tip=parse_amount(tip, require_unit=True),
            wait=wait.value,
            immortal=immortal,
        )
        payload = {
            "tx_hash": "0x" + receipt.tx_hash.hex(),
            "block_hash": None if receipt.block_hash is None else "0x" + receipt.block_hash.hex(),
            "block_number": receipt.block_number,
            "success": receipt.success,
            "error": receipt.error,
            "fee": receipt.fee,
            "fee_pha": format_amount(receipt.fee or 0),
            "amount": units,
            "amount_pha": format_amount(units),
            "to": recipient,
        }

        def text() -> str:
            what = f"transfer of {format_amount(units)} to {recipient}"
            if receipt.block_hash is None:
                return f"{what} submitted: 0x{receipt.tx_hash.hex()}"
            outcome = "succeeded" if receipt.success else f"FAILED: {receipt.error}"
            fee = format_amount(receipt.fee or 0)
            return (
                f"{what} {outcome} in block #{receipt.block_number} "
                f"(0x{receipt.block_hash.hex()}), fee {fee}\ntx 0x{receipt.tx_hash.hex()}"
            )

        emit(payload, as_json=as_json, text=text)
        if receipt.success is False:
            raise typer.Exit(1)
