"""``khala key`` prints the right public keys and addresses."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from khala.cli.app import app
from khala.primitives.crypto import keypair_from_uri

runner = CliRunner()


def test_inspect_alice() -> None:
    """//Alice inspects to the well-known key and both address forms."""
    result = runner.invoke(app, ["key", "inspect", "//Alice", "--json"])
    assert result.exit_code == 0, result.output
    described = json.loads(result.output)
    assert (
        described["public_key"]
        == "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
    )
    assert described["generic_address"] == "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
    assert described["ss58_address"].startswith("4")


def test_generate_gives_a_usable_phrase() -> None:
    """A generated phrase re-derives to the printed public key."""
    result = runner.invoke(app, ["key", "generate", "--words", "24", "--json"])
    described = json.loads(result.output)
    assert len(described["secret_phrase"].split()) == 24
    assert (
        "0x" + keypair_from_uri(described["secret_phrase"]).public_key.hex()
        == described["public_key"]
    )


def test_bad_uri_is_a_typed_error() -> None:
    """A bad mnemonic exits 2 with crypto.invalid_mnemonic."""
    result = runner.invoke(app, ["key", "inspect", "not a real phrase", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.output)["error"]["code"] == "crypto.invalid_mnemonic"


def test_readme_example_address_is_bobs() -> None:
    """The address in the README's first-transfer example is what `key inspect //Bob` prints."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    result = runner.invoke(app, ["key", "inspect", "//Bob", "--json"])
    address = json.loads(result.output)["ss58_address"]
    assert f"--to {address} --amount 1.5PHA" in readme
    assert f"query balance {address}" in readme
