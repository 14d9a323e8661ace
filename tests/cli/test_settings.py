"""The default node URL: --url, then KHALA_URL, then the config file, then the built-in one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from khala.cli.app import app
from khala.cli.settings import default_url
from khala.sdk.transport import DEFAULT_URL


def test_the_config_file_sets_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``url`` in config.toml is the default; a broken file is reported and ignored."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_url() == DEFAULT_URL
    (tmp_path / "khala").mkdir()
    (tmp_path / "khala" / "config.toml").write_text('url = "http://127.0.0.1:19944"\n')
    assert default_url() == "http://127.0.0.1:19944"
    (tmp_path / "khala" / "config.toml").write_text("url = [unterminated\n")
    assert default_url() == DEFAULT_URL


def test_khala_url_reaches_every_command() -> None:
    """A command without --url uses $KHALA_URL (here a port nobody listens on)."""
    result = CliRunner().invoke(
        app, ["chain", "head", "--json"], env={"KHALA_URL": "http://127.0.0.1:9"}
    )
    assert result.exit_code == 2
    error = json.loads(result.output.strip().splitlines()[-1])["error"]
    assert error["code"] == "sdk.connection_failed" and "127.0.0.1:9" in error["message"]
