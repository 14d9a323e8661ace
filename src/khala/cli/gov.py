"""``khala gov``: governance actions (sudo on dev chains, council motions on khala)."""

from __future__ import annotations

import time

import typer

from khala.cli import council, democracy
from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.council import VIA_OPTION, Via, govern
from khala.cli.mining import parse_worker
from khala.cli.output import (
    CliError,
    CliErrorCode,
    emit,
    parse_hex32,
    progress,
    reported_errors,
)
from khala.cli.submit import FROM_HELP
from khala.cli.upgrade import upgrade
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.runtime.dispatch import RuntimeCall
from khala.runtime.modules.authorship.calls import ScheduleChange
from khala.runtime.modules.authorship.state import Authority
from khala.runtime.modules.computation.calls import SetHeartbeatPaused, SetMiningEnabled
from khala.runtime.modules.registry.calls import RegisterGatekeeper, UnregisterGatekeeper
from khala.runtime.modules.scheduler.calls import CancelNamed, RescheduleNamed, ScheduleNamed
from khala.runtime.modules.scheduler.types import task_id
from khala.sdk import Client
from khala.sdk.core import account_id
from khala.sdk.mining import agenda, chain_preset, scheduled_task
from khala.sdk.times import when
from khala.sdk.waiting import NotYet, wait_until

app = typer.Typer(
    help="Governance: the mining launch, scheduled tasks, gatekeepers, runtime upgrades; the "
    "council and democracy (sudo on dev chains, council motions on khala: --via).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(council.app, name="council")
app.add_typer(democracy.app, name="democracy")
app.command("upgrade")(upgrade)

LAUNCH_TASK = "start-mining"
"""The task name ``schedule-mining-start`` uses unless told otherwise."""


def _root(
    url: str,
    sender: str,
    call: RuntimeCall,
    what: str,
    as_json: bool,
    extra: dict[str, object] | None = None,
    via: Via = Via.AUTO,
) -> None:
    """Submit a governed ``call`` through sudo or a council motion, signed by ``sender``."""
    govern(Client(url), sender, call, what=what, as_json=as_json, via=via, extra=extra)


def _task(name: str) -> bytes:
    task = task_id(name)
    if task is None:
        raise CliError(
            CliErrorCode.INVALID_ARGUMENT, f"task name {name!r}: use 1 to 32 bytes of UTF-8"
        )
    return task


@app.command("schedule-mining-start")
def schedule_mining_start(
    at: int | None = typer.Option(None, "--at", min=1, help="Block height at which mining starts."),
    blocks_ahead: int | None = typer.Option(
        None, "--in", min=2, help="Or: this many blocks after the current head."
    ),
    name: str = typer.Option(LAUNCH_TASK, "--name", help="Task name (to reschedule it later)."),
    sender: str = typer.Option("//Alice", "--from", help=FROM_HELP),
    via: Via = VIA_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Schedule `computation.set_mining_enabled(true)` at block `--at` (the fair launch).

    Every operator sees the height on chain and has the same time to prepare.
    Example: `khala gov schedule-mining-start --at 1200 --from //Alice`, or `--in 20` for
    twenty blocks from now.
    """
    with reported_errors(as_json=as_json):
        if (at is None) == (blocks_ahead is None):
            raise CliError(
                CliErrorCode.INVALID_ARGUMENT,
                "give the launch block as --at HEIGHT or as --in BLOCKS (one of them)",
            )
        if at is None:
            at = Client(url).head().number + (blocks_ahead or 0)
        call = ScheduleNamed(_task(name), at, None, 0, SetMiningEnabled(True))
        _root(
            url,
            sender,
            call,
            f"schedule {name!r} at block {at}",
            as_json,
            {"task": name, "at": at},
            via,
        )


@app.command("reschedule")
def reschedule(
    name: str = typer.Argument(..., help="The task's name, e.g. start-mining."),
    at: int = typer.Option(..., "--at", min=1, help="Its new block height."),
    sender: str = typer.Option("//Alice", "--from", help=FROM_HELP),
    via: Via = VIA_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Move a scheduled task to another block (e.g. delay the launch)."""
    with reported_errors(as_json=as_json):
        call = RescheduleNamed(_task(name), at)
        _root(
            url,
            sender,
            call,
            f"reschedule {name!r} to block {at}",
            as_json,
            {"task": name, "at": at},
            via,
        )


@app.command("cancel")
def cancel(
    name: str = typer.Argument(..., help="The task's name."),
    sender: str = typer.Option("//Alice", "--from", help=FROM_HELP),
    via: Via = VIA_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Cancel a scheduled task."""
    with reported_errors(as_json=as_json):
        call = CancelNamed(_task(name))
        _root(url, sender, call, f"cancel {name!r}", as_json, {"task": name}, via)


@app.command("task")
def task(
    name: str = typer.Argument(LAUNCH_TASK, help="The task's name."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show where a named task is scheduled (nothing once it ran or was cancelled)."""
    with reported_errors(as_json=as_json):
        _task(name)
        address = scheduled_task(Client(url), name)
        payload = {
            "task": name,
            "scheduled": address is not None,
            "at": None if address is None else address.when,
        }
        emit(
            payload,
            as_json=as_json,
            text=lambda: (
                f"{name}: "
                + ("not scheduled" if address is None else f"runs at block {address.when}")
            ),
        )


@app.command("scheduled")
def scheduled(url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show every scheduled task: its block, a countdown in blocks and the estimated time."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        head = client.head().number
        block_secs = chain_preset(client).block_time_ms // 1000
        now = int(time.time())
        rows = [
            {
                "name": task.name,
                "call": type(task.call).__name__,
                "at": task.when,
                "in_blocks": task.when - head,
                "estimated": when(now + max(task.when - head, 0) * block_secs, now),
                "priority": task.priority,
                "period": task.period,
                "runs_left": task.runs_left,
            }
            for task in agenda(client)
        ]
        emit(
            {"head": head, "tasks": rows},
            as_json=as_json,
            text=lambda: (
                "\n".join(
                    f"{row['name'] or '(unnamed)'}: {row['call']} at #{row['at']}, in "
                    f"{row['in_blocks']} blocks, {row['estimated']}"
                    + (f", priority {row['priority']}" if row["priority"] else "")
                    + (
                        f", then every {row['period']} blocks ({row['runs_left']} runs left)"
                        if row["period"]
                        else ""
                    )
                    for row in rows
                )
                or "nothing scheduled"
            ),
        )


@app.command("pause-heartbeats")
def pause_heartbeats(
    resume: bool = typer.Option(False, "--resume", help="Resume instead of pausing."),
    sender: str = typer.Option("//Alice", "--from", help=FROM_HELP),
    via: Via = VIA_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Pause (or `--resume`) heartbeat challenges network-wide."""
    with reported_errors(as_json=as_json):
        call = SetHeartbeatPaused(not resume)
        what = "resume heartbeats" if resume else "pause heartbeats"
        _root(url, sender, call, what, as_json, None, via)


@app.command("register-gatekeeper")
def register_gatekeeper(
    pubkey: str = typer.Argument(..., help="The registered worker's public key (0x)."),
    remove: bool = typer.Option(False, "--remove", help="Unregister instead."),
    wait: float = typer.Option(
        0,
        "--wait",
        min=0,
        help="Seconds to wait for the worker's registration (its relayer registers it).",
    ),
    sender: str = typer.Option("//Alice", "--from", help=FROM_HELP),
    via: Via = VIA_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Make a registered worker a gatekeeper (it must run with `--gatekeeper`), or `--remove` it.

    The first gatekeeper publishes the master key; later ones receive it from the others.
    Find the key with `khala worker info URL --pubkey`.
    """
    with reported_errors(as_json=as_json):
        worker = parse_worker(pubkey)
        if wait:
            client = Client(url)
            wait_until(
                lambda: (
                    True
                    if client.worker(worker) is not None
                    else NotYet(f"worker {pubkey} is not registered yet (its relayer registers it)")
                ),
                wait,
                on_wait=progress,
            )
        inner = UnregisterGatekeeper(worker) if remove else RegisterGatekeeper(worker)
        _root(
            url,
            sender,
            inner,
            "unregister gatekeeper" if remove else "register gatekeeper",
            as_json,
            None,
            via,
        )


@app.command("set-authorities")
def set_authorities(
    authorities: list[str] = typer.Argument(
        ...,
        help="The new set in slot order: `0xFINALITY_KEY=ACCOUNT` (ed25519 key, then the "
        "account credited with the author's fees), or a dev secret URI such as `//Bob`.",
    ),
    delay: int = typer.Option(
        5, "--in", min=0, help="Blocks until the change takes effect (0: the next block)."
    ),
    sender: str = typer.Option("//Alice", "--from", help=FROM_HELP),
    via: Via = VIA_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Schedule a new authority set (the nodes that author and co-sign blocks).

    Needs root or two thirds of the council. The block the change takes effect at is still
    finalized by the old set; from the next one on, the new set (with the next set id) signs.
    Example: `khala gov set-authorities //Bob //Charlie //Dave --in 3`.
    """
    with reported_errors(as_json=as_json):
        members = [_authority(text) for text in authorities]
        _root(url, sender, ScheduleChange(members, delay), "set authorities", as_json, None, via)


def _authority(text: str) -> Authority:
    """``0xKEY=ACCOUNT`` or a secret URI (both keys derived from it)."""
    if "=" in text:
        key, account = text.split("=", 1)
        finality = parse_hex32(key, f"finality key {key!r}: 32 bytes of 0x-hex (ed25519)")
        return Authority(finality, account_id(account))
    if text.startswith("//") or " " in text.strip():
        return Authority(
            keypair_from_uri(text, KeyScheme.ED25519).public_key, keypair_from_uri(text).public_key
        )
    raise CliError(
        CliErrorCode.INVALID_ARGUMENT,
        f"authority {text!r}: give 0xFINALITY_KEY=ACCOUNT or a secret URI such as //Bob",
    )
