"""Mining and governance commands refuse malformed input with typed errors before any I/O."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from khala.cli.app import app

runner = CliRunner()
WORKER = "0x" + "07" * 32
NOWHERE = "http://127.0.0.1:9"  # nothing listens: a command reaching the network would fail


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["mining", "status", "0x12"], "cli.invalid_argument"),
        (["worker", "stop-computing", "nothex", "--from", "//Bob"], "cli.invalid_argument"),
        (
            ["worker", "start-computing", WORKER, "--stake", "abc", "--from", "//Bob"],
            "amount.invalid",
        ),
        (["gov", "reschedule", "x" * 33, "--at", "5"], "cli.invalid_argument"),
        (
            ["tx", "transfer", "--from", "//Alice", "--to", "//Bob", "--amount", "1"],
            "amount.missing_unit",
        ),
        (
            ["tx", "transfer", "--from", "//Alice", "--to", "Bob", "--amount", "1PHA"],
            "ss58.invalid_prefix",
        ),
        (["gov", "register-gatekeeper", "0x00"], "cli.invalid_argument"),
        (["gov", "schedule-mining-start"], "cli.invalid_argument"),
        (["gov", "schedule-mining-start", "--at", "5", "--in", "5"], "cli.invalid_argument"),
        (["gatekeeper", "status"], "sdk.connection_failed"),
    ],
)
def test_bad_input_is_typed(args: list[str], code: str) -> None:
    """Each gives exit status 2 and one JSON error object with its documented code."""
    result = runner.invoke(app, [*args, "--url", NOWHERE, "--json"])
    assert result.exit_code == 2, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["error"]["code"] == code
