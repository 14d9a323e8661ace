"""``khala key``: generate and inspect keys."""

from __future__ import annotations

import secrets
from enum import StrEnum

import typer

from khala.cli.output import emit, reported_errors
from khala.primitives.crypto import KeyScheme, keypair_from_uri, mnemonic_from_entropy
from khala.primitives.ss58 import GENERIC_PREFIX, KHALA_PREFIX, ss58_encode

app = typer.Typer(
    help="Generate and inspect keys.", no_args_is_help=True, rich_markup_mode="markdown"
)


class Scheme(StrEnum):
    """``--scheme`` choices."""

    SR25519 = "sr25519"
    """Accounts and worker identities."""
    ED25519 = "ed25519"
    """Authority (finality) keys."""


def _describe(uri: str, scheme: Scheme, prefix: int, phrase: str | None) -> dict[str, str]:
    pair = keypair_from_uri(uri, KeyScheme(scheme.value))
    described = {
        "scheme": scheme.value,
        "public_key": "0x" + pair.public_key.hex(),
        "account_id": "0x" + pair.public_key.hex(),
        "ss58_address": ss58_encode(pair.public_key, prefix),
        "generic_address": ss58_encode(pair.public_key, GENERIC_PREFIX),
    }
    if phrase is not None:
        described = {"secret_phrase": phrase, **described}
    return described


def _text(described: dict[str, str]) -> str:
    return "\n".join(f"{key.replace('_', ' '):16} {value}" for key, value in described.items())


@app.command("generate")
def generate(
    scheme: Scheme = typer.Option(Scheme.SR25519, "--scheme", help="Signature scheme."),
    words: int = typer.Option(12, "--words", help="Mnemonic length: 12, 15, 18, 21 or 24."),
    prefix: int = typer.Option(KHALA_PREFIX, "--prefix", help="SS58 prefix (30 = khala)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Generate a new key from a fresh BIP39 mnemonic. Keep the phrase secret."""
    with reported_errors(as_json=as_json):
        if words not in (12, 15, 18, 21, 24):
            raise typer.BadParameter("use 12, 15, 18, 21 or 24", param_hint="--words")
        phrase = mnemonic_from_entropy(secrets.token_bytes(words * 4 // 3))
        described = _describe(phrase, scheme, prefix, phrase)
        emit(described, as_json=as_json, text=lambda: _text(described))


@app.command("inspect")
def inspect(
    uri: str = typer.Argument(
        ..., help="Secret URI: //Alice, a mnemonic, or 0x<seed>, with //hard and /soft paths."
    ),
    scheme: Scheme = typer.Option(Scheme.SR25519, "--scheme", help="Signature scheme."),
    prefix: int = typer.Option(KHALA_PREFIX, "--prefix", help="SS58 prefix (30 = khala)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Show the public key and addresses of a secret URI.

    Example: `khala key inspect //Alice`
    """
    with reported_errors(as_json=as_json):
        described = _describe(uri, scheme, prefix, None)
        emit(described, as_json=as_json, text=lambda: _text(described))
