"""Putting a call to a referendum: note its preimage, propose it with the minimum deposit."""

from __future__ import annotations

from typing import Any

import typer

from khala.cli.output import emit, with_pha
from khala.cli.submit import receipt_json
from khala.primitives.crypto import Keypair
from khala.runtime.dispatch import RuntimeCall
from khala.runtime.modules.democracy import events as dev
from khala.runtime.modules.democracy.calls import Propose
from khala.runtime.modules.democracy.constants import MINIMUM_DEPOSIT
from khala.runtime.modules.preimage.calls import NotePreimage
from khala.sdk import Client
from khala.sdk.governance import call_hash, is_noted
from khala.sdk.mining import chain_preset


def note(client: Client, pair: Keypair, call: RuntimeCall) -> bytes:
    """Note ``call``'s preimage unless it is noted already; return its hash.

    Raises:
        typer.Exit: 1 when noting fails (the reason is printed).
    """
    encoded, digest = call_hash(call)
    if not is_noted(client, digest):
        receipt = client.submit(client.sign(pair, NotePreimage(encoded)), wait="finalized")
        if receipt.success is False:
            typer.echo(f"noting the preimage FAILED: {receipt.error}", err=True)
            raise typer.Exit(1)
    return digest


def launch_block(client: Client) -> int:
    """The next block at which a proposal may become a referendum."""
    period = chain_preset(client).democracy_launch_blocks
    head = client.head().number
    return (head // period + 1) * period


def propose_referendum(
    client: Client,
    pair: Keypair,
    call: RuntimeCall,
    *,
    what: str,
    as_json: bool,
    extra: dict[str, object] | None = None,
    value: int = MINIMUM_DEPOSIT,
) -> None:
    """Note the call and propose it publicly; print the proposal and when it may launch."""
    digest = note(client, pair, call)
    receipt = client.submit(client.sign(pair, Propose(digest, value)), wait="finalized")
    proposed = next((e for e in receipt.events if isinstance(e, dev.Proposed)), None)
    launch = launch_block(client)
    payload: dict[str, Any] = {
        **receipt_json(receipt),
        **(extra or {}),
        "preimage": "0x" + digest.hex(),
        "proposal_index": None if proposed is None else proposed.proposal_index,
        "launch_block": launch,
        **with_pha({"deposit": value}, "deposit"),
    }

    def text() -> str:
        if proposed is None:
            return f"{what}: the proposal FAILED: {receipt.error}"
        return (
            f"{what}: public proposal #{proposed.proposal_index} (preimage 0x{digest.hex()}); "
            f"the most seconded proposal becomes a referendum at block #{launch} "
            f"(`khala gov democracy second {proposed.proposal_index} --from …`), then holders "
            "vote with `khala gov democracy vote`"
        )

    emit(payload, as_json=as_json, text=text)
    if receipt.success is False:
        raise typer.Exit(1)
