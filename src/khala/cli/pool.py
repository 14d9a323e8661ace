"""``khala pool``: create and run stake pools, delegate to them, and look at them."""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation
from typing import Any

import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.mining import WORKER_ARGUMENT, parse_worker
from khala.cli.output import CliError, CliErrorCode, emit, reported_errors
from khala.cli.signer import signer
from khala.cli.submit import FROM_HELP, send, submit_and_report
from khala.primitives.units import UNITS_PER_PHA, format_amount, parse_amount
from khala.runtime.modules.stake_pool import events as ev
from khala.sdk import Client, SdkError, SdkErrorCode
from khala.sdk import pools as sp
from khala.sdk.core import account_id
from khala.sdk.estimates import pool_apr_ppm
from khala.sdk.times import relative

app = typer.Typer(
    help="Stake pools: create one, add and start workers, delegate, withdraw, show.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

PID_ARGUMENT = typer.Argument(..., min=0, help="The pool id (khala pool list).")
OWNER_FROM = typer.Option(..., "--from", help=FROM_HELP + " The pool's owner.")


def parse_commission(text: str) -> int:
    """``"10%"`` or ``"100000ppm"`` as parts per million."""
    cleaned = text.strip().lower()
    try:
        if cleaned.endswith("%"):
            ppm = Decimal(cleaned[:-1]) * 10_000
        elif cleaned.endswith("ppm"):
            ppm = Decimal(cleaned[:-3])
        else:
            raise InvalidOperation
    except InvalidOperation:
        raise CliError(
            CliErrorCode.INVALID_ARGUMENT,
            f"commission {text!r}: write a percentage such as 10% or parts per million (100000ppm)",
        ) from None
    if ppm != ppm.to_integral_value() or not 0 <= ppm <= 1_000_000:
        raise CliError(
            CliErrorCode.INVALID_ARGUMENT,
            f"commission {text!r}: between 0% and 100%, in steps of 0.0001%",
        )
    return int(ppm)


def parse_shares(text: str) -> int:
    """A share count with up to 12 decimals (shares have PHA's precision)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal(-1)
    units = value * UNITS_PER_PHA
    if value < 0 or units != units.to_integral_value():
        raise CliError(
            CliErrorCode.INVALID_ARGUMENT,
            f"shares {text!r}: a non-negative number with at most 12 decimals (e.g. 100.5)",
        )
    return int(units)


@app.command("create")
def create(sender: str = OWNER_FROM, url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Create a pool owned by `--from` (0.03 PHA stays in its three accounts).

    Example: `khala pool create --from //Bob`, then `khala pool set-commission 0 10% --from //Bob`
    """
    with reported_errors(as_json=as_json):
        client = Client(url)
        receipt = client.submit(client.sign(signer(sender), sp.Create()), wait="finalized")
        created = next((e for e in receipt.events if isinstance(e, ev.PoolCreated)), None)
        if created is None:
            raise SdkError(SdkErrorCode.RPC_ERROR, f"pool creation failed: {receipt.error}")
        emit(
            {"pid": created.pid, "block_number": receipt.block_number, "success": True},
            as_json=as_json,
            text=lambda: f"pool #{created.pid} created in block #{receipt.block_number}",
        )


@app.command("set-commission")
def set_commission(
    pid: int = PID_ARGUMENT,
    commission: str = typer.Argument(..., help="The owner's cut of each payout: 10% or 100000ppm."),
    sender: str = OWNER_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Set the owner's commission on the pool's payouts (think before raising it)."""
    with reported_errors(as_json=as_json):
        ppm = parse_commission(commission)
        what = f"commission of pool #{pid} set to {ppm / 10_000:g} %"
        send(url, sender, sp.SetCommission(pid, ppm), what, as_json, commission_ppm=ppm)


@app.command("set-cap")
def set_cap(
    pid: int = PID_ARGUMENT,
    cap: str = typer.Argument(..., help="Largest pool value, e.g. 50000PHA, or 'none'."),
    sender: str = OWNER_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Cap the pool's value (at least its current value), or remove the cap with `none`."""
    with reported_errors(as_json=as_json):
        units = None if cap.strip().lower() == "none" else parse_amount(cap, require_unit=True)
        what = f"cap of pool #{pid} set to {'none' if units is None else format_amount(units)}"
        send(url, sender, sp.SetCap(pid, units), what, as_json, cap=units)


def _worker_command(name: str, call: Any, doc: str, anyone: bool = False) -> None:
    help_from = FROM_HELP + (" Anyone may." if anyone else " The pool's owner.")

    def command(
        pid: int = PID_ARGUMENT,
        pubkey: str = WORKER_ARGUMENT,
        sender: str = typer.Option(..., "--from", help=help_from),
        url: str = URL_OPTION,
        as_json: bool = JSON_OPTION,
    ) -> None:
        with reported_errors(as_json=as_json):
            worker = parse_worker(pubkey)
            what = f"{name.replace('-', ' ')} 0x{worker.hex()[:8]}… in pool #{pid}"
            send(url, sender, call(pid, worker), what, as_json)

    command.__doc__ = doc
    app.command(name)(command)


_worker_command(
    "add-worker",
    sp.AddWorker,
    "Add a registered, benchmarked worker whose operator is the pool's owner.",
)
_worker_command("remove-worker", sp.RemoveWorker, "Remove a Ready (stopped, reclaimed) worker.")
_worker_command(
    "stop-computing", sp.StopComputing, "Stop a pool worker; its stake returns after the cool-down."
)
_worker_command(
    "reclaim",
    sp.ReclaimPoolWorker,
    "Return a cooled-down worker's stake to the pool (pays queued withdrawals).",
    anyone=True,
)


@app.command("start-computing")
def start_computing(
    pid: int = PID_ARGUMENT,
    pubkey: str = WORKER_ARGUMENT,
    stake: str = typer.Option(..., "--stake", help="Stake from the pool's free stake: 3000PHA."),
    restart: bool = typer.Option(
        False, "--restart", help="Restart a computing worker with a larger stake at once."
    ),
    sender: str = OWNER_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Start (or `--restart`) a pool worker with part of the pool's free stake."""
    with reported_errors(as_json=as_json):
        worker = parse_worker(pubkey)
        units = parse_amount(stake, require_unit=True)
        cls: Any = sp.RestartComputing if restart else sp.StartComputing
        what = f"{'restart' if restart else 'start'} of 0x{worker.hex()[:8]}… with "
        what += f"{format_amount(units)} in pool #{pid}"
        send(url, sender, cls(pid, worker, units), what, as_json, stake=units)


@app.command("contribute")
def contribute(
    pid: int = PID_ARGUMENT,
    amount: str = typer.Option(..., "--amount", help="PHA to delegate, e.g. 1000PHA."),
    sender: str = typer.Option(..., "--from", help=FROM_HELP),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Delegate PHA to a pool for shares at its price (at least 0.01 PHA)."""
    with reported_errors(as_json=as_json):
        units = parse_amount(amount, require_unit=True)
        submit_and_report(
            Client(url),
            signer(sender),
            sp.Contribute(pid, units),
            what=f"contribution of {format_amount(units)} to pool #{pid}",
            as_json=as_json,
            extra={"amount": units, "amount_pha": format_amount(units)},
        )


@app.command("withdraw")
def withdraw(
    pid: int = PID_ARGUMENT,
    shares: str | None = typer.Option(None, "--shares", help="Shares to withdraw, e.g. 100.5."),
    everything: bool = typer.Option(False, "--all", help="All your shares, queued included."),
    sender: str = typer.Option(..., "--from", help=FROM_HELP),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Ask for shares back: paid from free stake now, the rest queued (replaces your request).

    If the queue waits past the grace period uncovered, anyone may run `force-withdraw-check`.
    """
    with reported_errors(as_json=as_json):
        pair = signer(sender)
        client = Client(url)
        if everything == (shares is not None):
            raise CliError(CliErrorCode.INVALID_ARGUMENT, "give --shares N or --all (one of them)")
        if shares is not None:
            count = parse_shares(shares)
        else:
            held = [p for p in sp.positions(client, pair.public_key) if p.pid == pid]
            count = sum(p.shares + p.queued for p in held)
            if not count:
                raise CliError(
                    CliErrorCode.INVALID_ARGUMENT,
                    f"the account holds no shares in pool #{pid} (khala stake show shows them)",
                )
        what = f"withdrawal of {count / UNITS_PER_PHA:,.4f} shares from pool #{pid}"
        submit_and_report(
            client,
            pair,
            sp.Withdraw(pid, count),
            what=what,
            as_json=as_json,
            extra={"shares": count},
        )


@app.command("force-withdraw-check")
def force_withdraw_check(
    pid: int = PID_ARGUMENT,
    sender: str = typer.Option(..., "--from", help=FROM_HELP + " Anyone may."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Pay what free stake allows; stop all workers if a request waited past the grace period."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        receipt = client.submit(
            client.sign(signer(sender), sp.CheckAndMaybeForceWithdraw(pid)), wait="finalized"
        )
        stopped = next((e.stopped for e in receipt.events if isinstance(e, ev.ForcedShutdown)), 0)
        emit(
            {"success": receipt.success, "error": receipt.error, "stopped": stopped},
            as_json=as_json,
            text=lambda: (
                f"pool #{pid}: FAILED {receipt.error}"
                if not receipt.success
                else f"pool #{pid}: forced shutdown, {stopped} workers stopped"
                if stopped
                else f"pool #{pid}: no overdue withdrawal; nothing stopped"
            ),
        )
        if receipt.success is False:
            raise typer.Exit(1)


@app.command("claim-owner-rewards")
def claim_owner_rewards(
    pid: int = PID_ARGUMENT,
    to: str | None = typer.Option(None, "--to", help="Recipient (default: the owner)."),
    sender: str = OWNER_FROM,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Send the pool's accumulated commission to `--to`."""
    with reported_errors(as_json=as_json):
        pair = signer(sender)
        target = pair.public_key if to is None else account_id(to)
        client = Client(url)
        status = sp.pool_status(client, pid)
        amount = 0 if status is None else status.owner_rewards
        if status is not None and not amount:
            raise CliError(
                CliErrorCode.INVALID_ARGUMENT,
                f"pool #{pid} has no commission to claim yet (khala pool show {pid})",
            )
        what = f"claim of {format_amount(amount)} commission from pool #{pid}"
        submit_and_report(
            client, pair, sp.ClaimOwnerRewards(pid, target), what=what, as_json=as_json
        )


@app.command("show")
def show(pid: int = PID_ARGUMENT, url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show a pool: value, shares, price, commission, cap, workers, queue with waiting times."""
    with reported_errors(as_json=as_json):
        status = sp.pool_status(Client(url), pid)
        if status is None:
            raise SdkError(SdkErrorCode.NOT_FOUND, f"there is no pool #{pid}")
        now = int(time.time())
        payload = status.to_json(now)
        apr = pool_apr_ppm(Client(url), status.info)
        payload["estimated_apr_percent"] = (
            None if apr is None else f"{apr // 10_000}.{apr % 10_000:04d}"
        )
        emit(payload, as_json=as_json, text=lambda: _pool_text(payload, now))


def _pool_text(p: dict[str, Any], now: int) -> str:
    lines = [
        f"pool #{p['pid']}  owner {p['owner']}",
        f"value        {p['total_value_pha']}  ({p['total_shares'] / UNITS_PER_PHA:,.4f} shares"
        f" at {p['price']} PHA)",
        f"commission   {p['commission_percent']} %",
        f"cap          {p['cap_pha'] or 'none'}",
        f"free stake   {p['free_stake_pha']}",
        f"owner reward {p['owner_rewards_pha']} (claimable)",
        f"est. APR     {p['estimated_apr_percent'] or '-'} % for delegators (30 days simulated"
        " against the live network by the gatekeepers' engine)",
    ]
    for worker in p["workers"]:
        lines.append(
            f"worker       {worker['worker']}  {worker['state']}  stake "
            f"{format_amount(worker['stake'])}  rewards {format_amount(worker['total_reward'])}"
        )
    for request in p["withdraw_queue"]:
        lines.append(
            f"withdrawal   {request['user']}  {request['shares'] / UNITS_PER_PHA:,.4f} shares"
            f"  waiting since {request['since']} ({relative(now - request['waiting_s'], now)})"
        )
    if p["description"]:
        lines.append(f"about        {p['description']}")
    return "\n".join(lines)


@app.command("list")
def list_pools(url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """List every pool with its value, price, commission and worker count."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        now = int(time.time())
        found = [sp.pool_status(client, pid) for pid in range(sp.pool_count(client))]
        rows = [status.to_json(now) for status in found if status is not None]
        emit(
            {"pools": rows},
            as_json=as_json,
            text=lambda: (
                "\n".join(
                    f"#{row['pid']:<4} {row['total_value_pha']:>20}  price {row['price']}  "
                    f"commission {row['commission_percent']} %  workers {len(row['workers'])}"
                    for row in rows
                )
                or "no pools yet: khala pool create --from …"
            ),
        )
