"""Atomic writes: the new content or the old, with the final permissions from the start."""

from __future__ import annotations

from pathlib import Path

import pytest

from khala.service.files import write_atomic


def test_a_write_replaces_the_file_with_private_permissions(tmp_path: Path) -> None:
    """The target holds exactly the new bytes, mode 0600, and no staging file is left."""
    target = tmp_path / "state" / "keys.sealed"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [path.name for path in target.parent.iterdir()] == ["keys.sealed"]


def test_a_failed_write_leaves_the_old_content(tmp_path: Path) -> None:
    """Data that cannot be written (not bytes) leaves the previous file intact, no leftovers."""
    target = tmp_path / "relayer.json"
    write_atomic(target, b"{}", mode=0o644)
    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"{}" and target.stat().st_mode & 0o777 == 0o644
    assert [path.name for path in tmp_path.iterdir()] == ["relayer.json"]
