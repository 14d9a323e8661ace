"""Hardening: a damaged chain database is refused at start with storage.corrupt naming it.

Found by trying: a truncated ``data.mdb`` killed the node with SIGBUS and no log line; flipped
bytes gave a raw ``lmdb`` traceback; an empty ``data.mdb`` silently became a new chain that
re-authored heights clients had been told were final.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from khala.node.chain import Chain
from khala.node.lmdb_store import LmdbChainStore
from khala.node.storage import StorageError, StorageErrorCode
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.runtime.genesis import dev_genesis
from tests.integration.processes import KHALA, node, rpc

AUTHORITY = keypair_from_uri("//Alice", KeyScheme.ED25519)


def _chain_on_disk(path: Path, blocks: int = 20) -> None:
    chain = Chain(LmdbChainStore(path), dev_genesis())
    for slot in range(1, blocks + 1):
        chain.author(AUTHORITY, slot=slot, now_ms=1_700_000_000_000 + slot * 2000, candidates=[])


def _open(path: Path) -> StorageError:
    with pytest.raises(StorageError) as caught:
        Chain(LmdbChainStore(path), dev_genesis())
    assert caught.value.code is StorageErrorCode.CORRUPT
    assert str(path / "data.mdb") in caught.value.message
    return caught.value


def test_an_intact_database_reopens_at_its_head(tmp_path: Path) -> None:
    """The start-up check passes on a healthy database."""
    _chain_on_disk(tmp_path / "chain")
    assert Chain(LmdbChainStore(tmp_path / "chain"), dev_genesis()).head.number == 20


def test_an_empty_data_file_is_not_a_new_chain(tmp_path: Path) -> None:
    """A zero-length data.mdb is refused instead of starting over at genesis."""
    _chain_on_disk(tmp_path / "chain")
    (tmp_path / "chain" / "data.mdb").write_bytes(b"")
    assert "--fresh" in _open(tmp_path / "chain").message


def test_a_truncated_data_file_is_refused_not_a_crash(tmp_path: Path) -> None:
    """Truncation is found from LMDB's meta pages before the map is read (no SIGBUS)."""
    _chain_on_disk(tmp_path / "chain", blocks=200)
    data = tmp_path / "chain" / "data.mdb"
    with data.open("r+b") as handle:
        handle.truncate(data.stat().st_size // 3)
    script = (
        "from pathlib import Path\n"
        "from khala.node.chain import Chain\n"
        "from khala.node.lmdb_store import LmdbChainStore\n"
        "from khala.node.storage import StorageError\n"
        "from khala.runtime.genesis import dev_genesis\n"
        "try:\n"
        f"    Chain(LmdbChainStore(Path({str(tmp_path / 'chain')!r})), dev_genesis())\n"
        "except StorageError as error:\n"
        "    print(error.code.value, error.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-500:]}"
    assert done.stdout.startswith("storage.corrupt") and "truncated" in done.stdout


def test_damaged_meta_pages_are_refused(tmp_path: Path) -> None:
    """Flipped bytes in the file's header are a typed error, not an lmdb traceback."""
    _chain_on_disk(tmp_path / "chain")
    data = tmp_path / "chain" / "data.mdb"
    raw = bytearray(data.read_bytes())
    for offset in range(16, 24):
        raw[offset] ^= 0xFF
    data.write_bytes(bytes(raw))
    _open(tmp_path / "chain")


def test_the_node_refuses_a_damaged_database_until_told_fresh(tmp_path: Path) -> None:
    """``khala node`` exits with storage.corrupt; ``--fresh`` starts a new chain deliberately."""
    _chain_on_disk(tmp_path / "chain" / "chain")
    (tmp_path / "chain" / "chain" / "data.mdb").write_bytes(b"")
    refused = subprocess.run(
        [KHALA, "node", "--dev", "--base-path", str(tmp_path / "chain"), "--rpc-port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2 and "storage.corrupt" in refused.stderr
    with node(tmp_path / "chain", "--fresh") as (_, port):
        assert rpc(port, "chain_getBlockHash", 0) is not None
    assert (tmp_path / "chain" / "chain" / "data.mdb").stat().st_size > 0
