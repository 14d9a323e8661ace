"""The trie reproduces the state roots and genesis hashes of real chain specs, both layouts.

Expected values are read from ../shared/chainspecs/README.md (an independent implementation's
results that match the chains' public genesis hashes); they are never computed by our code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from khala.primitives.chainspec import parse_raw_chain_spec
from khala.primitives.hashing import blake2_256
from khala.primitives.trie import EMPTY_ROOT, Layout, trie_root
from tests.conftest import shared_dir

_ROW = re.compile(
    r"^\|\s*(?P<file>\S+\.json)\s*\|\s*(?P<keys>\d+)\s*\|\s*(?P<layout>V[01])\s*\|"
    r"\s*(?P<root>0x[0-9a-f]{64})\s*\|\s*(?P<hash>0x[0-9a-f]{64})\s*\|",
    re.MULTILINE,
)


def _vectors() -> list[tuple[str, int, str, str, str]]:
    text = (shared_dir() / "chainspecs" / "README.md").read_text()
    rows = [
        (match["file"], int(match["keys"]), match["layout"], match["root"], match["hash"])
        for match in _ROW.finditer(text)
    ]
    assert len(rows) == 4, "the README's vector table changed shape"
    return rows


@pytest.mark.parametrize(("file", "keys", "layout", "root", "genesis_hash"), _vectors())
def test_chain_spec_root_and_genesis_hash(
    shared: Path, file: str, keys: int, layout: str, root: str, genesis_hash: str
) -> None:
    """State root and genesis hash equal the published vector for each spec and layout."""
    spec = parse_raw_chain_spec((shared / "chainspecs" / file).read_text())
    assert len(spec.top) == keys
    chosen = Layout[layout]
    assert "0x" + spec.state_root(chosen).hex() == root
    assert "0x" + spec.genesis_hash(chosen).hex() == genesis_hash


def test_empty_root() -> None:
    """The empty trie's root is blake2_256(0x00) in both layouts, as the README states."""
    text = (shared_dir() / "chainspecs" / "README.md").read_text()
    published = re.search(r"Empty trie root[^`]*`(0x[0-9a-f]{64})`", text)
    assert published is not None
    assert "0x" + EMPTY_ROOT.hex() == published.group(1)
    assert blake2_256(b"\x00") == EMPTY_ROOT
    for layout in Layout:
        assert trie_root([], layout) == EMPTY_ROOT
