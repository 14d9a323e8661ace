"""``khala key``: generate and inspect keys."""

from __future__ import annotations

import getpass
import os
import secrets
import sys
from enum import StrEnum

import typer

from khala.cli.output import emit, reported_errors
from khala.cli.signer import PASSPHRASE_ENV
from khala.primitives.crypto import KeyScheme, keypair_from_uri, mnemonic_from_entropy
from khala.primitives.ss58 import GENERIC_PREFIX, KHALA_PREFIX, ss58_encode
from khala.sdk import keystore

app = typer.Typer(
    help="Generate, inspect and store keys (`khala key add NAME`, then `--from NAME`).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
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


@app.command("add")
def add(
    name: str = typer.Argument(..., help="The key's name, used as `--from NAME`."),
    generate_new: bool = typer.Option(
        False, "--generate", help="Store a freshly generated mnemonic (printed once)."
    ),
    scheme: Scheme = typer.Option(Scheme.SR25519, "--scheme", help="Signature scheme."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Store a key, encrypted with a passphrase, for `--from NAME` anywhere.

    The secret (a mnemonic or URI) is read from a hidden prompt, or from standard input when it
    is not a terminal, never from the command line. The passphrase comes from
    `$KHALA_PASSPHRASE`, or is asked twice.
    Example: `khala key add treasury`
    """
    with reported_errors(as_json=as_json):
        phrase = None
        if generate_new:
            phrase = mnemonic_from_entropy(secrets.token_bytes(16))
            secret = phrase
        elif sys.stdin.isatty():
            secret = getpass.getpass("secret URI or mnemonic: ")
        else:
            secret = sys.stdin.readline().strip()
        passphrase = os.environ.get(PASSPHRASE_ENV)
        if passphrase is None:
            passphrase = getpass.getpass(f"new passphrase for {name}: ")
            if getpass.getpass("repeat it: ") != passphrase:
                raise typer.BadParameter("the passphrases differ", param_hint="passphrase")
        stored = keystore.add(name, secret, passphrase, KeyScheme(scheme.value))
        shown = {
            "name": stored.name,
            "scheme": stored.scheme.value,
            "public_key": "0x" + stored.public_key.hex(),
            "ss58_address": stored.address,
            "path": str(keystore.keystore_dir() / f"{name}.json"),
        }
        if phrase is not None:
            shown = {"secret_phrase": phrase, **shown}
        emit(shown, as_json=as_json, text=lambda: _text(shown))


@app.command("list")
def list_keys(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """List stored keys (no passphrase needed): name, scheme, address."""
    with reported_errors(as_json=as_json):
        stored = [
            {"name": key.name, "scheme": key.scheme.value, "ss58_address": key.address}
            for key in keystore.names()
        ]
        emit(
            {"keys": stored, "keystore": str(keystore.keystore_dir())},
            as_json=as_json,
            text=lambda: (
                "\n".join(
                    f"{item['name']:20} {item['scheme']:8} {item['ss58_address']}"
                    for item in stored
                )
                or f"no keys in {keystore.keystore_dir()}"
            ),
        )
