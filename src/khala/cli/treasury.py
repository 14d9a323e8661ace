"""``khala treasury``: the treasury's funds and proposals; propose, approve or reject spends."""

from __future__ import annotations

from typing import Any

import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.council import VIA_OPTION, Via, govern
from khala.cli.output import CliError, CliErrorCode, emit, reported_errors, with_pha
from khala.cli.signer import signer
from khala.cli.submit import FROM_HELP, submit_and_report
from khala.primitives.ss58 import ss58_encode
from khala.primitives.units import AmountError, parse_amount
from khala.runtime.modules.treasury.calls import (
    ApproveProposal,
    ProposeSpend,
    RejectProposal,
    bond_for,
)
from khala.runtime.types import AddressId
from khala.sdk import Client
from khala.sdk.core import account_id
from khala.sdk.governance import treasury_balance, treasury_proposals
from khala.sdk.mining import chain_preset

app = typer.Typer(
    help="The treasury: its balance and spend proposals; propose a spend (anyone, with a 5 % "
    "bond), approve or reject one (the council).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@app.command("show")
def show(url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The treasury's balance, the next spend period and every open or approved proposal."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        preset = chain_preset(client)
        head = client.head().number
        period = preset.treasury_spend_blocks
        proposals = [
            {
                "index": index,
                "proposer": ss58_encode(bytes(p.proposer)),
                "beneficiary": ss58_encode(bytes(p.beneficiary)),
                "approved": approved,
                **with_pha({"value": p.value, "bond": p.bond}, "value", "bond"),
            }
            for index, p, approved in treasury_proposals(client)
        ]
        payload: dict[str, Any] = {
            **with_pha({"balance": treasury_balance(client)}, "balance"),
            "next_spend_block": (head // period + 1) * period,
            "burn_permill": preset.treasury_burn_permill,
            "proposals": proposals,
        }
        emit(payload, as_json=as_json, text=lambda: _text(payload))


def _text(payload: dict[str, Any]) -> str:
    lines = [
        f"treasury {payload['balance_pha']}; next spend period at #{payload['next_spend_block']}"
        f" (then {payload['burn_permill'] / 10_000:g} % of the rest burns)"
    ]
    lines += [
        f"#{p['index']} {p['value_pha']} to {p['beneficiary']} "
        f"({'approved' if p['approved'] else 'open'}, bond {p['bond_pha']})"
        for p in payload["proposals"]
    ]
    return "\n".join(lines)


@app.command("propose-spend")
def propose_spend(
    value: str = typer.Argument(..., help="The sum, e.g. 100PHA."),
    beneficiary: str = typer.Argument(..., help="Who is paid (address or //Name)."),
    sender: str = typer.Option(..., "--from", help=FROM_HELP),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Propose a spend, bonding 5 % of it (at least 1 PHA) until it is paid or rejected."""
    with reported_errors(as_json=as_json):
        try:
            amount = parse_amount(value)
        except AmountError as error:
            raise CliError(CliErrorCode.INVALID_ARGUMENT, f"value: {error.message}") from None
        call = ProposeSpend(amount, AddressId(account_id(beneficiary)))
        extra = with_pha({"bond": bond_for(amount)}, "bond")
        what = f"propose spending {value} to {beneficiary}"
        submit_and_report(
            Client(url), signer(sender), call, what=what, as_json=as_json, extra=extra
        )


@app.command("approve")
def approve(
    proposal: int = typer.Argument(..., min=0, help="The proposal's index."),
    sender: str = typer.Option("//Alice", "--from", help=FROM_HELP),
    via: Via = VIA_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Council (half): approve a proposal for payment at the next spend period."""
    with reported_errors(as_json=as_json):
        call = ApproveProposal(proposal)
        govern(Client(url), sender, call, what=f"approve #{proposal}", as_json=as_json, via=via)


@app.command("reject")
def reject(
    proposal: int = typer.Argument(..., min=0, help="The proposal's index."),
    sender: str = typer.Option("//Alice", "--from", help=FROM_HELP),
    via: Via = VIA_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Council (half): reject a proposal; its bond goes to the treasury."""
    with reported_errors(as_json=as_json):
        call = RejectProposal(proposal)
        govern(Client(url), sender, call, what=f"reject #{proposal}", as_json=as_json, via=via)
