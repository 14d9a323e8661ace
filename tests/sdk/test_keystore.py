"""The keystore: named keys encrypted at rest, unlocked by passphrase, usable as --from NAME."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from khala.cli.app import app
from khala.primitives.crypto import keypair_from_uri
from khala.sdk import keyring, keystore
from khala.sdk.keystore import KeystoreError, KeystoreErrorCode

ALICE = keypair_from_uri("//Alice")


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KHALA_KEYSTORE", str(tmp_path / "keys"))
    return tmp_path / "keys"


def test_a_stored_key_unlocks_only_with_its_passphrase(store: Path) -> None:
    """Add, list without a passphrase, load with it; a wrong one is a typed refusal."""
    stored = keystore.add("alice", "//Alice", "correct horse")
    assert stored.public_key == ALICE.public_key
    assert [key.name for key in keystore.names()] == ["alice"]
    assert (store / "alice.json").stat().st_mode & 0o777 == 0o600
    assert "//Alice" not in (store / "alice.json").read_text()
    assert keystore.load("alice", "correct horse").public_key == ALICE.public_key
    with pytest.raises(KeystoreError) as caught:
        keystore.load("alice", "wrong")
    assert caught.value.code is KeystoreErrorCode.WRONG_PASSPHRASE


def test_names_are_checked_and_never_overwritten() -> None:
    """A path-like name is refused; a taken name is not replaced."""
    with pytest.raises(KeystoreError) as caught:
        keystore.add("../evil", "//Alice", "x")
    assert caught.value.code is KeystoreErrorCode.INVALID_NAME
    keystore.add("bob", "//Bob", "x")
    with pytest.raises(KeystoreError) as caught:
        keystore.add("bob", "//Alice", "x")
    assert caught.value.code is KeystoreErrorCode.EXISTS


def test_a_renamed_file_does_not_open_as_another_name(store: Path) -> None:
    """The name is bound into the encryption: copying a file to a new name is detected."""
    keystore.add("alice", "//Alice", "pw")
    (store / "mallory.json").write_text(
        (store / "alice.json").read_text().replace('"alice"', '"mallory"')
    )
    with pytest.raises(KeystoreError) as caught:
        keystore.load("mallory", "pw")
    assert caught.value.code is KeystoreErrorCode.WRONG_PASSPHRASE


def test_the_keyring_reads_names_and_uris() -> None:
    """``keyring.pair`` takes a stored name (with a passphrase provider) or a URI."""
    keystore.add("alice", "//Alice", "pw")
    assert keyring.pair("alice", passphrase=lambda _: "pw").public_key == ALICE.public_key
    assert keyring.pair("//Alice").public_key == ALICE.public_key


def test_the_cli_adds_lists_and_signs_with_a_stored_key() -> None:
    """``khala key add`` reads the secret from stdin; ``--from NAME`` unlocks it."""
    runner = CliRunner()
    env = {**os.environ, "KHALA_PASSPHRASE": "pw"}
    added = runner.invoke(app, ["key", "add", "treasury", "--json"], input="//Alice\n", env=env)
    assert added.exit_code == 0, added.output
    listed = json.loads(runner.invoke(app, ["key", "list", "--json"], env=env).output)
    assert listed["keys"][0]["ss58_address"] == keyring.address(ALICE.public_key)
    wrong = runner.invoke(
        app,
        ["tx", "transfer", "--from", "treasury", "--to", "//Bob", "--amount", "1PHA", "--json"],
        env={**env, "KHALA_PASSPHRASE": "nope"},
    )
    assert json.loads(wrong.output.strip().splitlines()[-1])["error"]["code"] == (
        "keystore.wrong_passphrase"
    )
