"""``khala vesting``: schedules, what is still locked, and unlocking what has vested."""

from __future__ import annotations

import time

import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.output import emit, reported_errors
from khala.cli.signer import signer
from khala.cli.submit import FROM_HELP, submit_and_report
from khala.primitives.ss58 import ss58_encode
from khala.primitives.units import format_amount
from khala.runtime.modules.vesting import state as vst
from khala.runtime.modules.vesting.calls import Vest, VestOther
from khala.runtime.modules.vesting.schedules import ending_block, locked_at
from khala.runtime.types import AddressId
from khala.sdk import Client
from khala.sdk.core import account_id
from khala.sdk.mining import chain_preset, read
from khala.sdk.times import when

app = typer.Typer(
    help="Vesting: schedules (crowdloan rewards), what is locked, unlock what has vested.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@app.command("show")
def show(
    who: str = typer.Argument(..., help="An account: SS58, 0x or a dev URI such as //Bob."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show an account's schedules: locked now, per block, when each ends."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        key = account_id(who)
        head = client.head().number
        block_secs = chain_preset(client).block_time_ms // 1000
        now = int(time.time())
        schedules = [
            {
                "locked": s.locked,
                "per_block": s.per_block,
                "starting_block": s.starting_block,
                "locked_now": locked_at(s, head),
                "ending_block": ending_block(s),
                "ends": when(now + max(ending_block(s) - head, 0) * block_secs, now),
            }
            for s in read(client, vst.VESTING, key)
        ]
        total = sum(item["locked_now"] for item in schedules)
        payload = {
            "account": ss58_encode(key),
            "block": head,
            "schedules": schedules,
            "locked_now": total,
            "locked_now_pha": format_amount(total),
        }
        emit(
            payload,
            as_json=as_json,
            text=lambda: "\n".join(
                [f"{payload['account']}: {format_amount(total)} still locked at #{head}"]
                + [
                    f"  {format_amount(s['locked'])} from #{s['starting_block']}, "
                    f"{format_amount(s['per_block'])}/block, ends #{s['ending_block']}"
                    f" ({s['ends']})"
                    for s in schedules
                ]
                if schedules
                else [f"{payload['account']}: no vesting schedule"]
            ),
        )


@app.command("vest")
def vest(
    who: str | None = typer.Argument(None, help="Whose schedules (default: the signer's)."),
    sender: str = typer.Option(..., "--from", help=FROM_HELP),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Unlock what has vested (anyone may do it for another account)."""
    with reported_errors(as_json=as_json):
        pair = signer(sender)
        call = Vest() if who is None else VestOther(AddressId(account_id(who)))
        what = "vest" if who is None else f"vest for {who}"
        submit_and_report(Client(url), pair, call, what=what, as_json=as_json)
