"""Snapshots: export the finalized state, import it into an empty node, refuse what is wrong."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from khala.cli.app import app
from khala.node.chain import Chain, ChainError, ChainErrorCode
from khala.node.lmdb_store import LmdbChainStore
from khala.node.service import load_genesis
from khala.node.snapshot_ops import export_snapshot, import_snapshot
from khala.node.storage import MemoryChainStore
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.finality import Justification, sign_finality
from khala.primitives.scale import codec_of
from khala.runtime.genesis import dev_genesis
from khala.runtime.modules.system.state import account
from khala.snapshot.format import (
    MAGIC,
    SnapshotError,
    SnapshotErrorCode,
    SnapshotReader,
    write_snapshot,
)
from tests.node.test_pruning import ALICE, WINDOW, _author, _reachable

GENESIS = dev_genesis()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Chain]:
    chain = Chain(MemoryChainStore(16), GENESIS)
    _author(chain, 30, [0])
    path = tmp_path_factory.mktemp("snap") / "chain.snapshot"
    lines: list[str] = []
    summary = export_snapshot(chain.store, GENESIS, path, lines.append)
    assert summary.number == 30 and summary.items > 20 and path.stat().st_size == summary.bytes
    assert any("exported block #30" in line for line in lines)
    return path, chain


def test_an_imported_snapshot_starts_a_node_at_its_block(
    exported: tuple[Path, Chain], tmp_path: Path
) -> None:
    path, source = exported
    store = LmdbChainStore(tmp_path / "chain")
    summary = import_snapshot(store, GENESIS, path)
    assert summary.number == 30
    chain = Chain(store, GENESIS)
    assert chain.head_hash == source.head_hash
    assert dict(chain.trie.items()) == dict(source.trie.items())
    assert store.oldest_state() == 30
    with pytest.raises(ChainError) as caught:
        chain.state_at(source.store.hash_at(29))
    assert caught.value.code in (ChainErrorCode.UNKNOWN_BLOCK, ChainErrorCode.STATE_PRUNED)
    nonce = account(chain.best_state(), ALICE.public_key).nonce
    _author(chain, 2, [nonce])  # the node goes on from the snapshot
    assert chain.head.number == 32
    store.close()
    reopened = Chain(LmdbChainStore(tmp_path / "chain"), GENESIS)
    assert reopened.head.number == 32


def test_an_imported_state_is_pruned_exactly_once_the_node_moves_on(
    exported: tuple[Path, Chain], tmp_path: Path
) -> None:
    """The bulk-installed nodes carry exact counts: after the window only live nodes remain."""
    path, _ = exported
    store = LmdbChainStore(tmp_path / "chain", state_pruning=WINDOW)
    import_snapshot(store, GENESIS, path)
    chain = Chain(store, GENESIS)
    _author(chain, WINDOW + 5, [account(chain.best_state(), ALICE.public_key).nonce])
    head = chain.head.number
    kept = [store.header(store.hash_at(n) or b"") for n in range(head - WINDOW + 1, head + 1)]
    roots = [header.state_root for header in kept if header is not None]
    assert set(store.node_hashes()) == _reachable(store, roots)
    assert dict(chain.trie.items())  # the head state reads whole
    store.close()


def _refused(path: Path, tmp_path: Path, code: SnapshotErrorCode, genesis=GENESIS) -> None:  # type: ignore[no-untyped-def]
    store = LmdbChainStore(tmp_path / "refused")
    with pytest.raises(SnapshotError) as caught:
        import_snapshot(store, genesis, path)
    assert caught.value.code is code
    assert store.best_hash() is None  # nothing written


def test_corrupt_truncated_and_other_files_are_refused(
    exported: tuple[Path, Chain], tmp_path: Path
) -> None:
    path, _ = exported
    raw = bytearray(path.read_bytes())
    flipped = tmp_path / "flipped.snapshot"
    raw[-100] ^= 0x01  # inside the last item's value
    flipped.write_bytes(bytes(raw))
    _refused(flipped, tmp_path / "a", SnapshotErrorCode.CORRUPT)
    truncated = tmp_path / "truncated.snapshot"
    truncated.write_bytes(path.read_bytes()[: len(raw) // 2])
    _refused(truncated, tmp_path / "b", SnapshotErrorCode.CORRUPT)
    other = tmp_path / "other.bin"
    other.write_bytes(b"not a snapshot at all")
    _refused(other, tmp_path / "c", SnapshotErrorCode.NOT_A_SNAPSHOT)


def test_a_snapshot_of_another_chain_is_refused(
    exported: tuple[Path, Chain], tmp_path: Path
) -> None:
    path, _ = exported
    other = replace(GENESIS, endowed=GENESIS.endowed[:1])
    _refused(path, tmp_path, SnapshotErrorCode.FOREIGN, other)


def _rewritten(path: Path, tmp_path: Path, **changes: object) -> Path:
    reader = SnapshotReader(path)
    head = replace(reader.head, **changes)  # type: ignore[arg-type]
    out = tmp_path / "rewritten.snapshot"
    with out.open("wb") as handle:
        write_snapshot(handle, head, reader.items())
    reader.close()
    return out


def test_a_justification_not_by_the_genesis_authorities_is_refused(
    exported: tuple[Path, Chain], tmp_path: Path
) -> None:
    path, source = exported
    mallory = keypair_from_uri("//Mallory", KeyScheme.ED25519)
    forged = sign_finality([mallory], source.head_hash, 30, 0)
    out = _rewritten(path, tmp_path, justification=codec_of(Justification).encode(forged))
    _refused(out, tmp_path, SnapshotErrorCode.BAD_JUSTIFICATION)


def test_items_that_do_not_give_the_state_root_are_refused(
    exported: tuple[Path, Chain], tmp_path: Path
) -> None:
    path, _ = exported
    reader = SnapshotReader(path)
    head = reader.head
    items = list(reader.items())[:-1]  # one item missing, the checksum recomputed
    reader.close()
    out = tmp_path / "short.snapshot"
    with out.open("wb") as handle:
        write_snapshot(handle, replace(head, item_count=len(items)), iter(items))
    _refused(out, tmp_path, SnapshotErrorCode.STATE_ROOT_MISMATCH)


def test_a_node_with_a_chain_is_not_overwritten(
    exported: tuple[Path, Chain], tmp_path: Path
) -> None:
    path, _ = exported
    store = LmdbChainStore(tmp_path / "chain")
    Chain(store, GENESIS)
    with pytest.raises(SnapshotError) as caught:
        import_snapshot(store, GENESIS, path)
    assert caught.value.code is SnapshotErrorCode.NOT_EMPTY
    assert MAGIC.startswith(b"KHALA-SNAPSHOT")


def test_the_cli_exports_and_imports_with_progress_and_json(tmp_path: Path) -> None:
    """``khala node … export-snapshot`` / ``import-snapshot``: JSON summaries, typed refusals."""
    pki = tmp_path / "pki"
    genesis = load_genesis(None, pki)
    source = Chain(LmdbChainStore(tmp_path / "a" / "chain"), genesis)
    _author(source, 12, [0])
    source.store.close()
    runner = CliRunner()
    snap = str(tmp_path / "s.snap")

    def node(base: str, *args: str) -> dict[str, Any]:
        result = runner.invoke(
            app, ["node", "--dev", "--dev-pki", str(pki), "--base-path", base, *args, "--json"]
        )
        assert result.exit_code in (0, 2), result.output
        answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        return answer

    exported = node(str(tmp_path / "a"), "export-snapshot", snap)
    assert exported["block"] == 12 and exported["items"] > 20
    imported = node(str(tmp_path / "b"), "import-snapshot", snap)
    assert imported["hash"] == exported["hash"]
    again = node(str(tmp_path / "b"), "import-snapshot", snap)
    assert again["error"]["code"] == "snapshot.not_empty"


def test_a_snapshot_without_a_valid_genesis_authority_proof_is_refused(
    exported: tuple[Path, Chain], tmp_path: Path
) -> None:
    """The authority set comes from a read proof against the genesis root: none, none valid."""
    path, _ = exported
    _refused(_rewritten(path, tmp_path, genesis_proof=[]), tmp_path, SnapshotErrorCode.FOREIGN)


def test_a_missing_or_unreadable_file_is_a_typed_refusal(tmp_path: Path) -> None:
    """`import-snapshot`, `inspect-snapshot` and `--from-snapshot FILE` name the file."""
    with pytest.raises(SnapshotError) as caught:
        import_snapshot(MemoryChainStore(), GENESIS, tmp_path / "missing.snapshot")
    assert caught.value.code is SnapshotErrorCode.UNREADABLE
    assert "missing.snapshot" in caught.value.message
    with pytest.raises(SnapshotError) as caught:
        SnapshotReader(tmp_path)  # a directory
    assert caught.value.code is SnapshotErrorCode.UNREADABLE
