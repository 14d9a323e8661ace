"""How commands print: human text or ``--json``, and typed errors with a stable exit code.

Every command reports failure the same way: ``error[<code>]: <message>`` on stderr (or a JSON
object ``{"error": {"code", "message"}}`` on stdout with ``--json``) and exit status 2 for bad
input. Scripts match on the code, people read the message.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from khala.errors import KhalaError
from khala.primitives.units import format_amount

EXIT_BAD_INPUT = 2
"""Exit status for a typed error caused by the user's input."""


class CliErrorCode(StrEnum):
    """Codes of errors the command line itself raises."""

    FILE_NOT_FOUND = "cli.file_not_found"
    """A path given on the command line does not exist or is not a readable file."""
    INVALID_ARGUMENT = "cli.invalid_argument"
    """An argument is malformed (e.g. a public key that is not 32 bytes of 0x-hex)."""


class CliError(KhalaError):
    """A problem with the command line's own inputs."""


def parse_hex32(text: str, refusal: str) -> bytes:
    """32 bytes from 0x-hex (keys, hashes, addresses); ``cli.invalid_argument`` otherwise."""
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise CliError(CliErrorCode.INVALID_ARGUMENT, refusal)
    return raw


def read_file(path: Path) -> bytes:
    """Read a file named on the command line, turning OS errors into a typed error."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise CliError(
            CliErrorCode.FILE_NOT_FOUND, f"cannot read {str(path)!r}: {error.strerror}"
        ) from None


def with_pha(payload: dict[str, Any], *keys: str) -> dict[str, Any]:
    """Add ``<key>_pha`` (a decimal PHA string) next to each planck amount in ``payload``.

    JSON keeps exact integers in planck for scripts and the same figure as text shows it.
    """
    shown = dict(payload)
    for key in keys:
        value = payload.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            shown[f"{key}_pha"] = format_amount(value)
    return shown


def emit(payload: dict[str, Any], *, as_json: bool, text: Callable[[], str]) -> None:
    """Print a result: ``payload`` as one JSON line, or the human ``text()``."""
    if as_json:
        typer.echo(json.dumps(payload, sort_keys=True))
    else:
        typer.echo(text())


def progress(message: str) -> None:
    """Show progress of long work on stderr, where it never mixes with ``--json`` output."""
    print(message, file=sys.stderr, flush=True)


@contextmanager
def reported_errors(*, as_json: bool) -> Iterator[None]:
    """Turn a :class:`KhalaError` raised inside into the standard error report and exit 2."""
    try:
        yield
    except KhalaError as error:
        if as_json:
            typer.echo(json.dumps({"error": error.to_json()}, sort_keys=True))
        else:
            typer.echo(f"error[{error.code.value}]: {error.message}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
