"""``khala mining`` and the worker's session commands (start-computing, stop, reclaim)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.output import (
    emit,
    parse_hex32,
    progress,
    reported_errors,
    with_pha,
)
from khala.cli.signer import signer
from khala.cli.submit import FROM_HELP, receipt_json, submit_and_report
from khala.primitives.units import format_amount, parse_amount
from khala.runtime.modules.computation.calls import (
    Bind,
    Reclaim,
    StartComputing,
    StopComputing,
    Unbind,
)
from khala.runtime.modules.computation.errors import ComputationErrorCode
from khala.sdk import Client
from khala.sdk.mining import (
    chain_preset,
    cool_down_end,
    mining_start_block,
    overview,
    session_status,
)
from khala.sdk.times import when
from khala.sdk.waiting import NotYet, wait_until

app = typer.Typer(
    help="Mining status: the launch switch, parameters and a worker's session.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

WORKER_ARGUMENT = typer.Argument(..., help="The worker's identity public key (0x, 32 bytes).")


def parse_worker(text: str) -> bytes:
    """A worker public key from 0x-hex."""
    return parse_hex32(text, f"PUBKEY {text!r}: give the worker's 0x-hex public key (32 bytes)")


def _overview_json(client: Client) -> dict[str, Any]:
    facts = overview(client)
    params = facts.params
    return {
        "mining_enabled": facts.enabled,
        "heartbeat_paused": facts.heartbeat_paused,
        "online_workers": facts.online_workers,
        "last_settled_block": facts.last_settled_block,
        "subsidy_free": facts.subsidy_free,
        "master_pubkey": None if facts.master_pubkey is None else "0x" + facts.master_pubkey.hex(),
        "gatekeepers": ["0x" + key.hex() for key in facts.gatekeepers],
        "params": {
            "budget_per_block": params.budget_per_block.to_display(6),
            "v_max": params.v_max.to_display(0),
            "treasury_ratio": params.treasury_ratio.to_display(6),
            "heartbeat_window": params.heartbeat_window,
            "expected_heartbeats": params.expected_heartbeats,
            "k": params.k.to_display(6),
            "re": params.re.to_display(6),
        },
    }


@app.command("status")
def status(
    pubkey: str | None = typer.Argument(None, help="A worker's public key (0x) to show."),
    wait_reward: float = typer.Option(
        0,
        "--wait-reward",
        min=0,
        help="With PUBKEY: wait up to this many seconds for the session's first reward, "
        "printing each change of its state on the way.",
    ),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the network's mining state, or one worker's session (state, V, P, rewards).

    Example: `khala mining status 0x… --wait-reward 300` returns once the worker has earned.
    """
    with reported_errors(as_json=as_json):
        client = Client(url)
        if pubkey is None:
            payload = with_pha(_overview_json(client), "subsidy_free")
            emit(payload, as_json=as_json, text=lambda: _lines(payload))
            return
        worker = parse_worker(pubkey)
        if wait_reward:
            wait_until(lambda: _earned(client, worker), wait_reward, on_wait=progress)
        summary = with_pha(
            session_status(client, worker).to_json(), "total_reward", "unpaid_reward", "stake"
        )
        emit(summary, as_json=as_json, text=lambda: _lines(summary))


def _earned(client: Client, worker: bytes) -> bool | NotYet:
    """Done once the session has a reward; otherwise its state, without times that tick."""
    summary = session_status(client, worker).to_json()
    if summary["total_reward"]:
        return True
    if summary["state"] == "Unbound":
        return NotYet("no reward yet: the worker is not computing (khala worker start-computing)")
    return NotYet(
        f"no reward yet: {summary['state']}, V {summary['v']}, "
        f"P {summary['p_instant']}, last heartbeat {summary['last_heartbeat_time'] or 'none'}"
    )


def _lines(payload: dict[str, Any]) -> str:
    lines = []
    for key, value in payload.items():
        if key.endswith("_pha"):
            continue  # text shows the planck figure in PHA already
        shown = value
        if key in ("total_reward", "unpaid_reward", "stake", "subsidy_free") and isinstance(
            value, int
        ):
            shown = format_amount(value)
        if isinstance(value, dict):
            shown = ", ".join(f"{inner}={item}" for inner, item in value.items())
        if isinstance(value, list):
            shown = ", ".join(str(item) for item in value) or "-"
        lines.append(f"{key:20} {shown}")
    return "\n".join(lines)


def start_computing(
    pubkey: str = WORKER_ARGUMENT,
    stake: str = typer.Option(..., "--stake", help="Stake to reserve, e.g. 3000PHA."),
    sender: str = typer.Option(..., "--from", help=FROM_HELP + " Must be the worker's operator."),
    wait: float = typer.Option(
        0,
        "--wait",
        min=0,
        help="Seconds to wait until starting is possible (the worker registered and scored, "
        "mining launched), saying what it waits for; 0 submits at once.",
    ),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Bind the worker if needed, then start computing with `--stake` reserved.

    Example: `khala worker start-computing 0x… --stake 3000PHA --from //Bob --wait 300`
    """
    with reported_errors(as_json=as_json):
        worker = parse_worker(pubkey)
        units = parse_amount(stake, require_unit=True)
        pair = signer(sender)
        client = Client(url)
        if wait:
            wait_until(lambda: _startable(client, worker), wait, on_wait=progress)
        if session_status(client, worker).session is None:
            bind = Bind(worker)
            submit_and_report(client, pair, bind, what="bind", as_json=as_json, quiet=True)
        call = StartComputing(worker, units)
        submit_and_report(
            client,
            pair,
            call,
            what="start computing",
            as_json=as_json,
            hint=when_possible(client, worker),
        )


def stop_computing(
    pubkey: str = WORKER_ARGUMENT,
    sender: str = typer.Option(..., "--from", help=FROM_HELP),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Stop computing; the stake stays reserved until the cool-down ends."""
    with reported_errors(as_json=as_json):
        call = StopComputing(parse_worker(pubkey))
        submit_and_report(Client(url), signer(sender), call, what="stop computing", as_json=as_json)


def reclaim(
    pubkey: str = WORKER_ARGUMENT,
    sender: str = typer.Option(..., "--from", help=FROM_HELP + " Anyone may reclaim."),
    unbind: bool = typer.Option(False, "--unbind", help="Also unbind (the owner only)."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Return a cooled-down worker's stake to its owner (and optionally unbind it).

    Each step is reported on its own (text: one line each; JSON: ``steps``); the command exits
    1 if any step failed. Unbinding is the operator's: a reclaim by anyone else still returns
    the stake, and the unbind step says who may do it.
    """
    with reported_errors(as_json=as_json):
        worker = parse_worker(pubkey)
        client = Client(url)
        pair = signer(sender)
        stake = session_status(client, worker).stake
        steps: list[tuple[str, Any, str]] = [
            ("reclaim", Reclaim(worker), f"reclaim of {format_amount(stake)}")
        ]
        if unbind:
            steps.append(("unbind", Unbind(worker), "unbind"))
        hint = when_possible(client, worker)
        outcomes = []
        for name, call, what in steps:
            receipt = client.submit(client.sign(pair, call), wait="finalized")
            outcome = {"step": name, "what": what, **receipt_json(receipt)}
            advice = hint(receipt.error) if receipt.error else ""
            if advice:
                outcome["hint"] = advice
            outcomes.append(outcome)
            if receipt.success is False:
                break

        def text() -> str:
            return "\n".join(
                f"{item['what']} succeeded in block #{item['block_number']}"
                if item["success"]
                else f"{item['what']} FAILED: {item['error']}{_hint(item['error'], hint)}"
                for item in outcomes
            )

        emit(with_pha({"steps": outcomes, "stake": stake}, "stake"), as_json=as_json, text=text)
        if any(item["success"] is False for item in outcomes):
            raise typer.Exit(1)


def _hint(code: object, hint: Callable[[str], str]) -> str:
    if code == ComputationErrorCode.NOT_OPERATOR.value:
        return " (only the worker's operator may unbind it; the stake was still returned)"
    advice = hint(str(code))
    return f" ({advice})" if advice else ""


def _startable(client: Client, worker: bytes) -> bool | NotYet:
    """Whether start-computing can succeed now, or what it waits for."""
    info = session_status(client, worker).info
    if info is None:
        return NotYet("the worker is not registered yet (its relayer registers it)")
    if info.initial_score is None:
        return NotYet("the worker's benchmark has not reported a score yet")
    if not overview(client).enabled:
        start = mining_start_block(client)
        if start is None:
            return NotYet("governance has not scheduled the mining start")
        return NotYet(f"mining starts at block #{start}")
    return True


def when_possible(client: Client, worker: bytes) -> Callable[[str], str]:
    """Say when a refused mining action becomes possible (for ``submit_and_report``)."""

    def hint(code: str) -> str:
        now = int(time.time())
        if code == ComputationErrorCode.COOL_DOWN_NOT_READY.value:
            ends = cool_down_end(client, worker)
            return "" if ends is None else f"the cool-down ends {when(ends, now)}"
        if code == ComputationErrorCode.MINING_NOT_ENABLED.value:
            start = mining_start_block(client)
            if start is None:
                return "governance has not scheduled the start: khala gov schedule-mining-start"
            head = client.head().number
            seconds = max(start - head, 0) * chain_preset(client).block_time_ms // 1000
            return f"mining starts at block #{start}, about {when(now + seconds, now)}"
        return ""

    return hint
