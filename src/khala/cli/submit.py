"""Submitting one call from the command line and reporting its receipt the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from khala.cli.output import emit, with_pha
from khala.cli.signer import signer
from khala.primitives.crypto import Keypair
from khala.primitives.units import format_amount
from khala.runtime.dispatch import RuntimeCall
from khala.sdk import Client
from khala.sdk.types import Receipt

FROM_HELP = "Signer: a keystore name (khala key add), a secret URI such as //Alice, or a mnemonic."
"""Help text of every ``--from`` option."""


def receipt_json(receipt: Receipt) -> dict[str, Any]:
    """The JSON form of a receipt."""
    return with_pha(
        {
            "tx_hash": "0x" + receipt.tx_hash.hex(),
            "block_hash": None if receipt.block_hash is None else "0x" + receipt.block_hash.hex(),
            "block_number": receipt.block_number,
            "success": receipt.success,
            "error": receipt.error,
            "fee": receipt.fee,
        },
        "fee",
    )


def submit_and_report(
    client: Client,
    pair: Keypair,
    call: RuntimeCall,
    *,
    what: str,
    as_json: bool,
    extra: dict[str, Any] | None = None,
    quiet: bool = False,
    hint: Callable[[str], str] | None = None,
) -> Receipt:
    """Sign, submit and wait for finality; print the outcome; exit 1 when the call failed.

    ``quiet`` prints nothing on success: a preliminary step of a command (binding before
    starting) reports only if it fails, so ``--json`` output stays one object. ``hint`` turns
    a failure's code into a sentence saying what to do or when it becomes possible (JSON:
    ``hint``).
    """
    receipt = client.submit(client.sign(pair, call), wait="finalized")
    if quiet and receipt.success is not False:
        return receipt
    payload = {**receipt_json(receipt), **(extra or {})}
    advice = hint(receipt.error) if hint is not None and receipt.error else ""
    if advice:
        payload["hint"] = advice

    def text() -> str:
        outcome = "succeeded" if receipt.success else f"FAILED: {receipt.error}"
        if advice:
            outcome += f" ({advice})"
        fee = format_amount(receipt.fee or 0)
        return f"{what} {outcome} in block #{receipt.block_number}, fee {fee}"

    emit(payload, as_json=as_json, text=text)
    if receipt.success is False:
        raise typer.Exit(1)
    return receipt


def send(
    url: str, sender: str, call: RuntimeCall, what: str, as_json: bool, **extra: Any
) -> Receipt:
    """Sign ``call`` with ``--from``'s key, submit it to ``url`` and report it (extra JSON keys)."""
    return submit_and_report(
        Client(url), signer(sender), call, what=what, as_json=as_json, extra=extra or None
    )
