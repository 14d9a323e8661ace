"""``khala gov council``: motions, votes, closing; and how governed commands reach the chain.

Every ``khala gov`` command that needs governance goes through :func:`govern`: on a chain with
a sudo key (dev) it wraps the call in ``sudo``; on one without (khala) it proposes a council
motion with the threshold the call needs (half the members, rounded up). ``--via`` overrides.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import typer

from khala.cli.calls import ARGS_HELP, CALL_HELP, parse_call
from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.output import CliError, CliErrorCode, emit, reported_errors
from khala.cli.referendum import propose_referendum
from khala.cli.signer import signer
from khala.cli.submit import FROM_HELP, receipt_json, submit_and_report
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import encode
from khala.primitives.ss58 import ss58_encode
from khala.runtime.context import HALF
from khala.runtime.dispatch import RuntimeCall
from khala.runtime.modules.council import events as ev
from khala.runtime.modules.council import state as cst
from khala.runtime.modules.council.calls import Close, Propose, Vote
from khala.runtime.modules.sudo import state as sudo_state
from khala.runtime.modules.sudo.calls import Sudo
from khala.sdk import Client, SdkError, SdkErrorCode
from khala.sdk.mining import read

app = typer.Typer(
    help="The council: propose any call as a motion, list open motions, vote, close.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


class Via(StrEnum):
    """How a governed call reaches the chain."""

    AUTO = "auto"
    """Sudo when the chain has a sudo key (dev), else a council motion."""
    SUDO = "sudo"
    """``sudo.sudo(call)`` signed by the sudo key."""
    COUNCIL = "council"
    """A council motion needing the share of members the call requires (half by default)."""
    REFERENDUM = "referendum"
    """A public democracy proposal (the call noted as a preimage): token holders decide."""


VIA_OPTION = typer.Option(
    Via.AUTO,
    "--via",
    help="sudo (dev chains), council (a motion), referendum (a public proposal), or auto: "
    "sudo if the chain has a sudo key, else a council motion.",
)


def govern(
    client: Client,
    sender: str,
    call: RuntimeCall,
    *,
    what: str,
    as_json: bool,
    via: Via = Via.AUTO,
    extra: dict[str, object] | None = None,
    share: tuple[int, int] = HALF,
) -> None:
    """Submit a governed call and report what happened.

    Through sudo, a council motion (carried by ``share`` of the members) or a public
    referendum proposal, as ``via`` says.
    """
    pair = signer(sender)
    if via is Via.AUTO:
        via = Via.SUDO if read(client, sudo_state.KEY) is not None else Via.COUNCIL
    if via is Via.SUDO:
        submit_and_report(client, pair, Sudo(call), what=what, as_json=as_json, extra=extra)
        return
    if via is Via.REFERENDUM:
        propose_referendum(client, pair, call, what=what, as_json=as_json, extra=extra)
        return
    members = len(read(client, cst.MEMBERS))
    if not members:
        raise CliError(CliErrorCode.INVALID_ARGUMENT, "this chain has no council members")
    numerator, denominator = share
    threshold = -(-members * numerator // denominator)
    length = len(encode(call))
    receipt = client.submit(client.sign(pair, Propose(threshold, call, length)), wait="finalized")
    digest = blake2_256(encode(call))
    proposed = next((e for e in receipt.events if isinstance(e, ev.Proposed)), None)
    payload: dict[str, Any] = {
        **receipt_json(receipt),
        **(extra or {}),
        "motion": "0x" + digest.hex(),
        "threshold": threshold,
        "members": members,
        "executed": proposed is None and receipt.success is True,
    }
    if proposed is not None:
        payload["index"] = proposed.proposal_index

    def text() -> str:
        if receipt.success is False:
            return f"{what}: the motion FAILED: {receipt.error}"
        if proposed is None:
            return f"{what}: carried at once (threshold 1 of {members}) in #{receipt.block_number}"
        return (
            f"{what}: motion #{proposed.proposal_index} 0x{digest.hex()} needs {threshold} of "
            f"{members} ayes; members vote with `khala gov council vote 0x{digest.hex()} "
            "--from …`, then anyone runs `khala gov council close`"
        )

    emit(payload, as_json=as_json, text=text)
    if receipt.success is False:
        raise typer.Exit(1)


def _motion(client: Client, text: str) -> tuple[bytes, Any]:
    try:
        digest = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        digest = b""
    if len(digest) != 32:
        raise CliError(CliErrorCode.INVALID_ARGUMENT, f"{text!r}: a motion hash is 0x + 64 hex")
    votes = read(client, cst.VOTING, digest)
    if votes is None:
        raise SdkError(SdkErrorCode.NOT_FOUND, f"no open motion 0x{digest.hex()}")
    return digest, votes


@app.command("list")
def list_motions(url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Open motions: index, call, threshold, ayes, nays, the block they may close at."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        rows = []
        for digest in read(client, cst.PROPOSALS):
            votes = read(client, cst.VOTING, bytes(digest))
            call = read(client, cst.PROPOSAL_OF, bytes(digest))
            if votes is None:
                continue
            rows.append(
                {
                    "motion": "0x" + bytes(digest).hex(),
                    "index": votes.index,
                    "call": type(call).__name__,
                    "threshold": votes.threshold,
                    "ayes": [ss58_encode(bytes(a)) for a in votes.ayes],
                    "nays": [ss58_encode(bytes(n)) for n in votes.nays],
                    "end": votes.end,
                }
            )
        members = [ss58_encode(bytes(m)) for m in read(client, cst.MEMBERS)]
        emit(
            {"members": members, "motions": rows},
            as_json=as_json,
            text=lambda: "\n".join(
                [f"{len(members)} members"]
                + [
                    f"#{r['index']} {r['call']} {r['motion']}: {len(r['ayes'])}/{r['threshold']}"
                    f" ayes, {len(r['nays'])} nays, closes by #{r['end']}"
                    for r in rows
                ]
            ),
        )


@app.command("propose")
def propose(
    call_name: str = typer.Option(..., "--call", help=CALL_HELP),
    args: str = typer.Option("{}", "--args", help=ARGS_HELP),
    threshold: int | None = typer.Option(
        None, "--threshold", min=1, help="Ayes needed (default: half the members, rounded up)."
    ),
    sender: str = typer.Option(..., "--from", help=FROM_HELP + " A council member."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Propose any call as a council motion (the proposer's aye counts).

    Example: `khala gov council propose --call democracy.external_propose_majority --args
    '{"proposal_hash": "0x…"}' --from //Alice`.
    """
    with reported_errors(as_json=as_json):
        client = Client(url)
        call = parse_call(call_name, args)
        members = len(read(client, cst.MEMBERS))
        if threshold is not None and threshold > members:
            raise CliError(
                CliErrorCode.INVALID_ARGUMENT,
                f"--threshold {threshold}: the council has {members} members",
            )
        share = (threshold, members) if threshold is not None else HALF
        govern(client, sender, call, what=call_name, as_json=as_json, via=Via.COUNCIL, share=share)


@app.command("vote")
def vote(
    motion: str = typer.Argument(..., help="The motion's hash (khala gov council list)."),
    reject: bool = typer.Option(False, "--reject", help="Vote nay (default: aye)."),
    sender: str = typer.Option(..., "--from", help=FROM_HELP + " A council member."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Vote aye (or `--reject`) on an open motion."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        digest, votes = _motion(client, motion)
        call = Vote(digest, votes.index, not reject)
        what = f"{'nay' if reject else 'aye'} on motion #{votes.index}"
        submit_and_report(client, signer(sender), call, what=what, as_json=as_json)


@app.command("close")
def close(
    motion: str = typer.Argument(..., help="The motion's hash."),
    sender: str = typer.Option(..., "--from", help=FROM_HELP + " Anyone."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Close a decided motion (or one past its end): carried motions run their call."""
    with reported_errors(as_json=as_json):
        client = Client(url)
        digest, votes = _motion(client, motion)
        proposal = read(client, cst.PROPOSAL_OF, digest)
        length = len(encode(proposal)) if proposal is not None else 0
        receipt = client.submit(
            client.sign(signer(sender), Close(digest, votes.index, length)), wait="finalized"
        )
        executed = next((e for e in receipt.events if isinstance(e, ev.Executed)), None)
        outcome = "rejected" if executed is None else "carried"
        result = None if executed is None else type(executed.result).__name__
        emit(
            {**receipt_json(receipt), "outcome": outcome, "result": result},
            as_json=as_json,
            text=lambda: (
                f"motion #{votes.index} FAILED to close: {receipt.error}"
                if receipt.success is False
                else f"motion #{votes.index} {outcome} in #{receipt.block_number}"
                + ("" if executed is None else f": its call returned {result}")
            ),
        )
        if receipt.success is False:
            raise typer.Exit(1)
