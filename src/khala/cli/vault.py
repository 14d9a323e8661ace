"""``khala vault``: delegate to a vault, or run one that invests in stake pools."""

from __future__ import annotations

import time
from typing import Any

import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.output import emit, reported_errors
from khala.cli.pool import parse_commission, parse_shares
from khala.cli.signer import signer
from khala.cli.submit import FROM_HELP, send, submit_and_report
from khala.primitives.units import UNITS_PER_PHA, format_amount, parse_amount
from khala.runtime.modules.vault import events as ev
from khala.sdk import Client, SdkError, SdkErrorCode
from khala.sdk import vaults as sv
from khala.sdk.core import account_id

app = typer.Typer(
    help="Vaults: delegate to a vault; its owner invests in stake pools for you.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

VID_ARGUMENT = typer.Argument(..., min=0, help="The vault id (khala vault list).")
OWNER_FROM = typer.Option(..., "--from", help=FROM_HELP + " The vault's owner.")
ANYONE_FROM = typer.Option(..., "--from", help=FROM_HELP)


@app.command("create")
def create(sender: str = OWNER_FROM, url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Create a vault owned by `--from` (0.01 PHA stays in its account)."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        receipt = client.submit(client.sign(signer(sender), sv.Create()), wait="finalized")
        created = next((e for e in receipt.events if isinstance(e, ev.VaultCreated)), None)
        if created is None:
            raise SdkError(SdkErrorCode.RPC_ERROR, f"vault creation failed: {receipt.error}")
        emit(
            {"pid": created.pid, "block_number": receipt.block_number, "success": True},
            as_json=as_json,
            text=lambda: f"vault #{created.pid} created in block #{receipt.block_number}",
        )


@app.command("set-commission")
def set_commission(
    vid: int = VID_ARGUMENT,
    commission: str = typer.Argument(..., help="The owner's cut of price gains: 10% or ppm."),
    sender: str = OWNER_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Set the owner's commission on the vault's gains (taken as new vault shares)."""
    with reported_errors(as_json=as_json):
        ppm = parse_commission(commission)
        what = f"commission of vault #{vid} set to {ppm / 10_000:g} %"
        send(url, sender, sv.SetCommission(vid, ppm), what, as_json, commission_ppm=ppm)


@app.command("contribute")
def contribute(
    vid: int = VID_ARGUMENT,
    amount: str = typer.Option(..., "--amount", help="PHA to delegate, e.g. 1000PHA."),
    sender: str = ANYONE_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Delegate PHA to a vault for vault shares at its price."""
    with reported_errors(as_json=as_json):
        units = parse_amount(amount, require_unit=True)
        what = f"contribution of {format_amount(units)} to vault #{vid}"
        send(url, sender, sv.Contribute(vid, units), what, as_json, amount=units)


@app.command("withdraw")
def withdraw(
    vid: int = VID_ARGUMENT,
    shares: str = typer.Option(..., "--shares", help="Vault shares, e.g. 100.5."),
    sender: str = ANYONE_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Ask for vault shares back: free PHA pays now, the vault asks its pools for the rest."""
    with reported_errors(as_json=as_json):
        count = parse_shares(shares)
        what = f"withdrawal of {count / UNITS_PER_PHA:,.4f} shares from vault #{vid}"
        send(url, sender, sv.Withdraw(vid, count), what, as_json, shares=count)


@app.command("invest")
def invest(
    vid: int = VID_ARGUMENT,
    pool: int = typer.Argument(..., min=0, help="The stake pool to invest in."),
    amount: str = typer.Option(..., "--amount", help="Vault PHA to invest, e.g. 500PHA."),
    sender: str = OWNER_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Contribute the vault's free PHA to a stake pool."""
    with reported_errors(as_json=as_json):
        units = parse_amount(amount, require_unit=True)
        what = f"investment of {format_amount(units)} from vault #{vid} in pool #{pool}"
        send(url, sender, sv.Invest(vid, pool, units), what, as_json, amount=units)


@app.command("divest")
def divest(
    vid: int = VID_ARGUMENT,
    pool: int = typer.Argument(..., min=0, help="The stake pool."),
    shares: str = typer.Option(..., "--shares", help="Pool shares to ask back, e.g. 100."),
    sender: str = OWNER_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Ask a pool for the vault's pool shares back (replaces the vault's request there)."""
    with reported_errors(as_json=as_json):
        count = parse_shares(shares)
        what = f"divestment of {count / UNITS_PER_PHA:,.4f} shares of pool #{pool}"
        send(url, sender, sv.Divest(vid, pool, count), what, as_json, shares=count)


@app.command("gain-owner-shares")
def gain_owner_shares(
    vid: int = VID_ARGUMENT,
    sender: str = OWNER_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Mint the owner's commission on the share price's rise as vault shares."""
    with reported_errors(as_json=as_json):
        send(url, sender, sv.MaybeGainOwnerShares(vid), f"owner gain of vault #{vid}", as_json)


@app.command("claim-owner-shares")
def claim_owner_shares(
    vid: int = VID_ARGUMENT,
    shares: str = typer.Option(..., "--shares", help="Owner shares to hand out."),
    to: str | None = typer.Option(None, "--to", help="Recipient (default: the owner)."),
    sender: str = OWNER_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Move gained owner shares into an account's vault position."""
    with reported_errors(as_json=as_json):
        pair = signer(sender)
        target = pair.public_key if to is None else account_id(to)
        count = parse_shares(shares)
        submit_and_report(
            Client(url),
            pair,
            sv.ClaimOwnerShares(vid, target, count),
            what=f"claim of {count / UNITS_PER_PHA:,.4f} owner shares of vault #{vid}",
            as_json=as_json,
        )


@app.command("force-withdraw-check")
def force_withdraw_check(
    vid: int = VID_ARGUMENT,
    sender: str = ANYONE_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Pay the vault's queue; past the grace period uncovered, ask every pool back."""
    with reported_errors(as_json=as_json):
        send(url, sender, sv.CheckAndMaybeForceWithdraw(vid), f"check of vault #{vid}", as_json)


@app.command("show")
def show(vid: int = VID_ARGUMENT, url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show a vault: value, shares, price, commission, holdings per pool, queue."""
    with reported_errors(as_json=as_json):
        status = sv.vault_status(Client(url), vid)
        if status is None:
            raise SdkError(SdkErrorCode.NOT_FOUND, f"there is no vault #{vid}")
        payload = status.to_json(int(time.time()))
        emit(payload, as_json=as_json, text=lambda: _text(payload))


def _text(p: dict[str, Any]) -> str:
    lines = [
        f"vault #{p['pid']}  owner {p['owner']}"
        + ("  (locked: forced withdrawal)" if p["locked"] else ""),
        f"value       {p['total_value_pha']}  ({p['total_shares'] / UNITS_PER_PHA:,.4f} shares"
        f" at {p['price']} PHA)",
        f"commission  {p['commission_percent']} % of gains"
        f"  ({p['owner_shares'] / UNITS_PER_PHA:,.4f} owner shares unclaimed)",
        f"free        {p['free_pha']}",
    ]
    for h in p["holdings"]:
        lines.append(
            f"pool #{h['pool']:<4}  {h['shares'] / UNITS_PER_PHA:,.4f} shares"
            + (f" (+{h['queued'] / UNITS_PER_PHA:,.4f} asked back)" if h["queued"] else "")
            + f"  worth {format_amount(h['value'])}"
        )
    for r in p["withdraw_queue"]:
        lines.append(
            f"withdrawal  {r['user']}  {r['shares'] / UNITS_PER_PHA:,.4f} shares since {r['since']}"
        )
    return "\n".join(lines)


@app.command("list")
def list_vaults(url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """List every vault with its value and price."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        now = int(time.time())
        found = [sv.vault_status(client, vid) for vid in range(sv.vault_count(client))]
        rows = [status.to_json(now) for status in found if status is not None]
        emit(
            {"vaults": rows},
            as_json=as_json,
            text=lambda: (
                "\n".join(
                    f"#{row['pid']:<4} {row['total_value_pha']:>20}  price {row['price']}  "
                    f"pools {len(row['holdings'])}"
                    for row in rows
                )
                or "no vaults yet: khala vault create --from …"
            ),
        )
