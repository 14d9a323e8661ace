"""``khala spec root`` prints the genesis of real specs and reports bad input as typed errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from khala.cli.app import app

runner = CliRunner()


def test_spec_root_json_matches_published_vector(shared: Path) -> None:
    """The README's example prints the published V0 root and genesis hash of shell.json."""
    result = runner.invoke(
        app, ["spec", "root", str(shared / "chainspecs" / "shell.json"), "--layout", "v0", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    readme = (shared / "chainspecs" / "README.md").read_text()
    assert payload["state_root"] in readme
    assert payload["genesis_hash"] in readme
    assert payload["layout"] == "v0"
    assert payload["keys"] == 15


def test_spec_root_human_output(shared: Path) -> None:
    """Without --json the command prints labelled lines."""
    result = runner.invoke(app, ["spec", "root", str(shared / "chainspecs" / "rhala.json")])
    assert result.exit_code == 0, result.output
    assert "genesis hash: 0xba75271b" in result.output


def test_missing_file_is_a_typed_error(tmp_path: Path) -> None:
    """A missing file exits 2 with the error code, in text and in JSON."""
    missing = str(tmp_path / "none.json")
    result = runner.invoke(app, ["spec", "root", missing])
    assert result.exit_code == 2
    assert "error[cli.file_not_found]" in result.output
    result = runner.invoke(app, ["spec", "root", missing, "--json"])
    assert result.exit_code == 2
    assert json.loads(result.output)["error"]["code"] == "cli.file_not_found"


def test_malformed_spec_is_a_typed_error(tmp_path: Path) -> None:
    """A file that is not a raw spec exits 2 and says what is wrong."""
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"genesis": {"runtime": {}}}))
    result = runner.invoke(app, ["spec", "root", str(plain), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.output)["error"]["code"] == "chainspec.not_raw"


def test_bad_layout_is_refused(shared: Path) -> None:
    """Only v0 and v1 are accepted layouts."""
    result = runner.invoke(
        app, ["spec", "root", str(shared / "chainspecs" / "shell.json"), "--layout", "v2"]
    )
    assert result.exit_code == 2


def test_console_script_runs_as_a_real_process(shared: Path) -> None:
    """The installed `khala` entry point works in a separate process (what users run)."""
    khala = Path(sys.executable).parent / "khala"
    completed = subprocess.run(
        [str(khala), "spec", "root", str(shared / "chainspecs" / "shell.json"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ},
    )
    assert completed.returncode == 0, completed.stderr
    readme = (shared / "chainspecs" / "README.md").read_text()
    assert json.loads(completed.stdout)["genesis_hash"] in readme
