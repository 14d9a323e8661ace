"""``khala spec``: inspect chain specs."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from khala.cli.output import emit, read_file, reported_errors
from khala.primitives.chainspec import parse_raw_chain_spec
from khala.primitives.trie import Layout
from khala.primitives.types import genesis_header

app = typer.Typer(help="Inspect chain specs.", no_args_is_help=True, rich_markup_mode="markdown")


class LayoutName(StrEnum):
    """The ``--layout`` choices."""

    V0 = "v0"
    """Every value inline (state version 0)."""
    V1 = "v1"
    """Values of 33 bytes or more hashed into their own nodes (state version 1)."""


_LAYOUTS = {LayoutName.V0: Layout.V0, LayoutName.V1: Layout.V1}


@app.command("root")
def root(
    file: Path = typer.Argument(..., help="A raw chain spec JSON file from any Substrate chain."),
    layout: LayoutName = typer.Option(
        LayoutName.V1,
        "--layout",
        case_sensitive=False,
        help="Trie layout (state version): v0 inlines every value, v1 hashes values of "
        "33 bytes or more. Use the state version the chain's genesis runtime declares.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print the genesis state root and genesis block hash of a raw chain spec.

    The state root is the trie root of genesis.raw.top (child tries folded in as Substrate
    does); the genesis hash is blake2-256 of the genesis header with that root.

    Example: `khala spec root ../shared/chainspecs/shell.json --layout v0 --json`
    """
    with reported_errors(as_json=as_json):
        spec = parse_raw_chain_spec(read_file(file))
        state_root = spec.state_root(_LAYOUTS[layout])
        genesis_hash = genesis_header(state_root).hash()
        payload = {
            "chain": spec.name,
            "keys": len(spec.top),
            "layout": layout.value,
            "state_root": "0x" + state_root.hex(),
            "genesis_hash": "0x" + genesis_hash.hex(),
        }
        emit(
            payload,
            as_json=as_json,
            text=lambda: (
                f"chain:        {spec.name} ({len(spec.top)} keys, layout {layout.value})\n"
                f"state root:   {payload['state_root']}\n"
                f"genesis hash: {payload['genesis_hash']}"
            ),
        )
