"""``khala gov democracy``: proposals, seconds, conviction votes, delegation, fast track.

The council's commands (``external``, ``fast-track``) move council motions; the others are
signed by any account.
"""

from __future__ import annotations

from typing import Any

import typer

from khala.cli.calls import ARGS_HELP, CALL_HELP, parse_call
from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.council import Via, govern
from khala.cli.output import CliError, CliErrorCode, emit, reported_errors, with_pha
from khala.cli.referendum import note, propose_referendum
from khala.cli.signer import signer
from khala.cli.submit import FROM_HELP, submit_and_report
from khala.primitives.ss58 import ss58_encode
from khala.primitives.units import AmountError, format_amount, parse_amount
from khala.runtime.context import HALF, TWO_THIRDS
from khala.runtime.modules.democracy import calls as dc
from khala.runtime.modules.democracy.constants import MINIMUM_DEPOSIT
from khala.runtime.modules.democracy.types import (
    Conviction,
    Delegating,
    Ongoing,
    Standard,
    VoteThreshold,
    vote_byte,
)
from khala.runtime.types import AddressId
from khala.sdk import Client
from khala.sdk.core import account_id
from khala.sdk.governance import next_external, public_proposals, referenda, voting_of

app = typer.Typer(
    help="Democracy: propose calls, second proposals, vote on referenda with conviction, "
    "delegate; the council's external proposals and fast track.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

CONVICTION_HELP = (
    "0 (0.1x, no lock) to 6 (6x, locked 32 lock periods); each step doubles the lock and adds 1x."
)
"""Help text of ``--conviction``."""


def _amount(text: str, option: str) -> int:
    try:
        return parse_amount(text)
    except AmountError as error:
        raise CliError(CliErrorCode.INVALID_ARGUMENT, f"{option}: {error.message}") from None


def _conviction(value: int) -> Conviction:
    if not 0 <= value <= Conviction.LOCKED6X:
        raise CliError(CliErrorCode.INVALID_ARGUMENT, f"--conviction {value}: use 0 to 6")
    return Conviction(value)


def _name(call: Any) -> str | None:
    return None if call is None else type(call).__name__


@app.command("propose")
def propose(
    call_name: str = typer.Option(..., "--call", help=CALL_HELP),
    args: str = typer.Option("{}", "--args", help=ARGS_HELP),
    deposit: str = typer.Option(
        format_amount(MINIMUM_DEPOSIT), "--deposit", help="Deposit (at least the minimum)."
    ),
    sender: str = typer.Option(..., "--from", help=FROM_HELP),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Note a call's preimage and propose it publicly with a deposit.

    Example: `khala gov democracy propose --call system.remark --args '{"remark": "0x01"}'
    --from //Bob`.
    """
    with reported_errors(as_json=as_json):
        call = parse_call(call_name, args)
        value = _amount(deposit, "--deposit")
        propose_referendum(
            Client(url), signer(sender), call, what=call_name, as_json=as_json, value=value
        )


@app.command("second")
def second(
    proposal: int = typer.Argument(..., min=0, help="The public proposal's index."),
    sender: str = typer.Option(..., "--from", help=FROM_HELP),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Back a waiting proposal with the same deposit as its proposer."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        what = f"second proposal #{proposal}"
        submit_and_report(client, signer(sender), dc.Second(proposal), what=what, as_json=as_json)


@app.command("vote")
def vote(
    referendum: int = typer.Argument(..., min=0, help="The referendum's index."),
    nay: bool = typer.Option(False, "--nay", help="Vote against (default: aye)."),
    balance: str = typer.Option(..., "--balance", help="PHA to vote with, e.g. 100PHA."),
    conviction: int = typer.Option(1, "--conviction", help=CONVICTION_HELP),
    sender: str = typer.Option(..., "--from", help=FROM_HELP),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Vote aye (or `--nay`) on a referendum; the balance stays locked while it runs."""
    with reported_errors(as_json=as_json):
        amount = _amount(balance, "--balance")
        chosen = _conviction(conviction)
        account_vote = Standard(vote_byte(not nay, chosen), amount)
        what = f"{'nay' if nay else 'aye'} on referendum #{referendum} ({chosen.name.lower()})"
        client = Client(url)
        call = dc.Vote(referendum, account_vote)
        submit_and_report(client, signer(sender), call, what=what, as_json=as_json)


@app.command("delegate")
def delegate(
    to: str = typer.Argument(..., help="Who votes with your PHA (address or //Name)."),
    balance: str = typer.Option(..., "--balance", help="PHA to delegate."),
    conviction: int = typer.Option(1, "--conviction", help=CONVICTION_HELP),
    sender: str = typer.Option(..., "--from", help=FROM_HELP),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Let another account vote with your PHA (one level: it does not pass them on)."""
    with reported_errors(as_json=as_json):
        call = dc.Delegate(
            AddressId(account_id(to)), _conviction(conviction), _amount(balance, "--balance")
        )
        submit_and_report(
            Client(url), signer(sender), call, what=f"delegate to {to}", as_json=as_json
        )


@app.command("undelegate")
def undelegate(
    sender: str = typer.Option(..., "--from", help=FROM_HELP),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Stop delegating (the PHA stay locked for the conviction's periods)."""
    with reported_errors(as_json=as_json):
        submit_and_report(
            Client(url), signer(sender), dc.Undelegate(), what="undelegate", as_json=as_json
        )


@app.command("unlock")
def unlock(
    referendum: int | None = typer.Option(
        None, "--remove-vote", min=0, help="Remove your vote on this referendum first."
    ),
    sender: str = typer.Option(..., "--from", help=FROM_HELP),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Recompute your democracy lock (after removing a finished referendum's vote)."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        pair = signer(sender)
        if referendum is not None:
            what = f"remove the vote on referendum #{referendum}"
            submit_and_report(
                client, pair, dc.RemoveVote(referendum), what=what, as_json=as_json, quiet=True
            )
        call = dc.Unlock(AddressId(pair.public_key))
        submit_and_report(client, pair, call, what="unlock", as_json=as_json)


@app.command("list")
def list_all(url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Ongoing referenda with their tallies, waiting proposals and the council's proposal."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        head = client.head().number
        rows = []
        for item in referenda(client):
            if not isinstance(item.info, Ongoing):
                continue
            status = item.info.status
            tally = status.tally
            rows.append(
                {
                    "index": item.index,
                    "call": _name(item.call),
                    "proposal": "0x" + bytes(status.proposal).hex(),
                    "threshold": VoteThreshold(status.threshold).name.lower(),
                    "end": status.end,
                    "ends_in_blocks": status.end - head,
                    **with_pha(
                        {"ayes": tally.ayes, "nays": tally.nays, "turnout": tally.turnout},
                        "ayes",
                        "nays",
                        "turnout",
                    ),
                }
            )
        proposals = [
            {
                "index": p["index"],
                "call": _name(p["call"]),
                "proposal": "0x" + p["proposal"].hex(),
                "proposer": ss58_encode(p["proposer"]),
                "backers": p["backers"],
                **with_pha({"deposit": p["deposit"]}, "deposit"),
            }
            for p in public_proposals(client)
        ]
        external = next_external(client)
        council = None
        if external is not None:
            council = {
                "proposal": "0x" + external[0].hex(),
                "threshold": VoteThreshold(external[1]).name.lower(),
            }
        payload = {"head": head, "referenda": rows, "proposals": proposals, "external": council}
        emit(payload, as_json=as_json, text=lambda: _list_text(payload))


def _list_text(payload: dict[str, Any]) -> str:
    lines = [
        f"referendum #{r['index']} {r['call'] or r['proposal']}: ayes {r['ayes_pha']}, nays "
        f"{r['nays_pha']}, turnout {r['turnout_pha']} ({r['threshold']}), ends at #{r['end']} "
        f"(in {r['ends_in_blocks']} blocks)"
        for r in payload["referenda"]
    ]
    lines += [
        f"proposal #{p['index']} {p['call'] or p['proposal']}: {p['backers']} backers of "
        f"{p['deposit_pha']}"
        for p in payload["proposals"]
    ]
    if payload["external"] is not None:
        ext = payload["external"]
        lines.append(f"council proposal {ext['proposal']} ({ext['threshold']}) waits for a launch")
    return "\n".join(lines) or "no referenda or proposals"


@app.command("show")
def show(
    account: str = typer.Argument(..., help="Address or //Name."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """An account's votes (or delegation) and what its past votes still lock."""
    with reported_errors(as_json=as_json):
        record = voting_of(Client(url), account_id(account))
        payload: dict[str, Any]
        if isinstance(record, Delegating):
            payload = {
                "delegating_to": ss58_encode(bytes(record.target)),
                "conviction": Conviction(record.conviction).name.lower(),
                **with_pha({"balance": record.balance}, "balance"),
            }
        else:
            payload = {"votes": [{"referendum": int(i), "vote": repr(v)} for i, v in record.votes]}
        payload["prior_lock"] = {
            "until": record.prior.until,
            **with_pha({"balance": record.prior.balance}, "balance"),
        }
        emit(payload, as_json=as_json, text=lambda: str(payload))


@app.command("external")
def external(
    call_name: str = typer.Option(..., "--call", help=CALL_HELP),
    args: str = typer.Option("{}", "--args", help=ARGS_HELP),
    majority: bool = typer.Option(
        False, "--majority", help="Judged by simple majority (default: super-majority approve)."
    ),
    sender: str = typer.Option(..., "--from", help=FROM_HELP + " A council member."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Council: note a call and move a motion to make it the council's proposal."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        call = parse_call(call_name, args)
        digest = note(client, signer(sender), call)
        motion: Any = dc.ExternalProposeMajority(digest) if majority else dc.ExternalPropose(digest)
        govern(
            client,
            sender,
            motion,
            what=f"council proposal of {call_name}",
            as_json=as_json,
            via=Via.COUNCIL,
            share=HALF,
            extra={"preimage": "0x" + digest.hex()},
        )


@app.command("fast-track")
def fast_track(
    proposal: str = typer.Argument(..., help="The council proposal's preimage hash."),
    voting_period: int = typer.Option(..., "--voting-period", min=1, help="Blocks it is open."),
    delay: int = typer.Option(0, "--delay", min=0, help="Blocks from passing to enactment."),
    sender: str = typer.Option(..., "--from", help=FROM_HELP + " A council member."),
    via: Via = typer.Option(Via.COUNCIL, "--via", help="council (two thirds) or sudo."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Council (two thirds): turn the waiting council proposal into a referendum now."""
    with reported_errors(as_json=as_json):
        digest = bytes.fromhex(proposal.removeprefix("0x")) if proposal.startswith("0x") else b""
        if len(digest) != 32:
            raise CliError(CliErrorCode.INVALID_ARGUMENT, f"{proposal!r}: 0x + 64 hex digits")
        call = dc.FastTrack(digest, voting_period, delay)
        govern(
            Client(url), sender, call, what="fast track", as_json=as_json, via=via, share=TWO_THIRDS
        )
