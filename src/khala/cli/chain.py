"""``khala chain``: look at blocks."""

from __future__ import annotations

from typing import Any

import typer

from khala.cli.output import emit, reported_errors
from khala.cli.settings import URL_ENV, default_url
from khala.sdk import BlockInfo, Client

app = typer.Typer(help="Inspect the chain.", no_args_is_help=True, rich_markup_mode="markdown")

URL_OPTION = typer.Option(
    default_url(),
    "--url",
    envvar=URL_ENV,
    help="The node's RPC URL (default: $KHALA_URL, then url in ~/.config/khala/config.toml).",
)
JSON_OPTION = typer.Option(False, "--json", help="Print one JSON object.")


def _summary(block: BlockInfo, finalized: bool | None = None) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "number": block.number,
        "hash": "0x" + block.block_hash.hex(),
        "parent_hash": "0x" + block.header.parent_hash.hex(),
        "state_root": "0x" + block.header.state_root.hex(),
        "extrinsics_root": "0x" + block.header.extrinsics_root.hex(),
        "extrinsics": ["0x" + raw.hex() for raw in block.extrinsics],
        "justified": block.justification is not None,
    }
    if finalized is not None:
        summary["finalized"] = finalized
    return summary


def _text(summary: dict[str, Any]) -> str:
    lines = [f"block #{summary['number']}  {summary['hash']}"]
    lines += [
        f"  {key:16} {summary[key]}" for key in ("parent_hash", "state_root", "extrinsics_root")
    ]
    lines.append(f"  extrinsics       {len(summary['extrinsics'])}")
    lines.append(f"  justified        {summary['justified']}")
    return "\n".join(lines)


@app.command("head")
def head(url: str = URL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show the best block."""
    with reported_errors(as_json=as_json):
        summary = _summary(Client(url).head())
        emit(summary, as_json=as_json, text=lambda: _text(summary))


@app.command("block")
def block(
    which: str = typer.Argument(..., help="A block number or 0x block hash."),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show a block by number or hash."""
    with reported_errors(as_json=as_json):
        if which.startswith("0x"):
            try:
                at: int | bytes = bytes.fromhex(which[2:])
            except ValueError:
                raise typer.BadParameter("a hash is 0x followed by 64 hex digits") from None
        elif which.isdigit():
            at = int(which)
        else:
            raise typer.BadParameter("give a block number or a 0x hash", param_hint="WHICH")
        summary = _summary(Client(url).block(at))
        emit(summary, as_json=as_json, text=lambda: _text(summary))
