"""Snapshots of a chain whose authority set changed: the changes travel with the snapshot.

A dev chain starts with //Alice; governance hands the set to //Bob (set 1), then to
//Charlie (set 2). A snapshot taken after both carries both changes; an importer verifies
each from the genesis set on, then the block's justification by set 2. Dropped, reordered
or tampered changes are refused with typed errors, and a node started from such a snapshot
exports snapshots that verify too. Version 1 files (no set changes) are still read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from khala.cli.app import app
from khala.node.chain import Chain
from khala.node.lmdb_store import LmdbChainStore
from khala.node.snapshot_ops import export_snapshot, import_snapshot
from khala.node.storage import MemoryChainStore
from khala.primitives.crypto import Keypair, KeyScheme, keypair_from_uri
from khala.primitives.scale import codec_of
from khala.runtime.genesis import dev_genesis
from khala.runtime.modules.authorship.calls import ScheduleChange
from khala.runtime.modules.authorship.hooks import author_of_slot
from khala.runtime.modules.authorship.state import AUTHORITY_SET_ID, Authority
from khala.runtime.modules.sudo.calls import Sudo
from khala.sdk import core
from khala.snapshot.format import (
    MAGIC_PREFIX,
    SnapshotError,
    SnapshotErrorCode,
    SnapshotHeadV1,
    SnapshotReader,
    write_snapshot,
)
from khala.snapshot.set_changes import SET_CHANGE

GENESIS = dev_genesis()
SUDO = keypair_from_uri("//Alice")
KEYS = {
    name: keypair_from_uri(f"//{name}", KeyScheme.ED25519) for name in ("Alice", "Bob", "Charlie")
}


def _authority(name: str) -> Authority:
    return Authority(KEYS[name].public_key, keypair_from_uri(f"//{name}").public_key)


def _author(chain: Chain, candidates: list[bytes]) -> None:
    """One block by the slot's author (whoever the current set names), finalized 1-of-1."""
    slot = chain.head.number + 1
    owner = author_of_slot(chain.best_state(), slot).finality_key
    key: Keypair = next(k for k in KEYS.values() if k.public_key == owner)
    chain.author(key, slot=slot, now_ms=1_700_000_000_000 + slot * 2000, candidates=candidates)


def _hand_over(chain: Chain, name: str, nonce: int) -> None:
    raw = core.sign(
        SUDO,
        Sudo(ScheduleChange([_authority(name)], 1)),
        nonce=nonce,
        tip=0,
        genesis_hash=chain.genesis_hash,
        spec_version=chain.release_at().spec_version,
        transaction_version=1,
    )
    before = AUTHORITY_SET_ID.get(chain.best_state())
    _author(chain, [raw])
    while AUTHORITY_SET_ID.get(chain.best_state()) == before:
        _author(chain, [])


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Chain]:
    chain = Chain(MemoryChainStore(8), GENESIS)
    for _ in range(3):
        _author(chain, [])
    _hand_over(chain, "Bob", 0)
    for _ in range(3):
        _author(chain, [])
    _hand_over(chain, "Charlie", 1)
    for _ in range(12):  # past the pruning window: the enacting blocks' states are gone
        _author(chain, [])
    path = tmp_path_factory.mktemp("snap") / "chain.snapshot"
    export_snapshot(chain.store, GENESIS, path)
    return path, chain


def _changes_of(path: Path) -> list[int]:
    reader = SnapshotReader(path)
    reader.close()
    return [change.header.number for change in reader.head.set_changes]


def test_a_snapshot_after_two_set_changes_carries_them_and_imports(
    changed: tuple[Path, Chain], tmp_path: Path
) -> None:
    path, source = changed
    assert AUTHORITY_SET_ID.get(source.best_state()) == 2
    numbers = _changes_of(path)
    assert len(numbers) == 2 and numbers[0] < numbers[1] < source.head.number
    store = LmdbChainStore(tmp_path / "chain")
    summary = import_snapshot(store, GENESIS, path)
    assert summary.block_hash == source.head_hash
    chain = Chain(store, GENESIS)
    _author(chain, [])  # //Charlie (set 2) goes on from the snapshot
    again = tmp_path / "again.snapshot"
    export_snapshot(store, GENESIS, again)  # the imported changes are passed on
    assert _changes_of(again) == numbers
    import_snapshot(MemoryChainStore(), GENESIS, again)
    store.close()


def _rewritten(path: Path, out: Path, **changes: object) -> Path:
    reader = SnapshotReader(path)
    head = replace(reader.head, **changes)  # type: ignore[arg-type]
    with out.open("wb") as handle:
        write_snapshot(handle, head, reader.items())
    reader.close()
    return out


def _refused(path: Path, code: SnapshotErrorCode) -> str:
    store = MemoryChainStore()
    with pytest.raises(SnapshotError) as caught:
        import_snapshot(store, GENESIS, path)
    assert caught.value.code is code, caught.value.message
    assert store.best_hash() is None
    return caught.value.message


def test_missing_reordered_or_tampered_set_changes_are_refused(
    changed: tuple[Path, Chain], tmp_path: Path
) -> None:
    path, _ = changed
    reader = SnapshotReader(path)
    reader.close()
    first, second = reader.head.set_changes
    dropped = _rewritten(path, tmp_path / "a", set_changes=[first])
    assert "authority set 1" in _refused(dropped, SnapshotErrorCode.BAD_JUSTIFICATION)
    none = _rewritten(path, tmp_path / "b", set_changes=[])
    _refused(none, SnapshotErrorCode.BAD_JUSTIFICATION)
    swapped = _rewritten(path, tmp_path / "c", set_changes=[second, first])
    _refused(swapped, SnapshotErrorCode.BAD_SET_CHANGE)
    skipped = _rewritten(path, tmp_path / "d", set_changes=[second])  # set 2 signed by set 0?
    assert "not finalized by authority set 0" in _refused(skipped, SnapshotErrorCode.BAD_SET_CHANGE)
    bad_proof = replace(second, proof=second.proof[:-1])
    _refused(
        _rewritten(path, tmp_path / "e", set_changes=[first, bad_proof]),
        SnapshotErrorCode.BAD_SET_CHANGE,
    )
    # a proof of block 1's set against another block's root: right signatures, wrong state
    moved = replace(second, proof=first.proof)
    _refused(
        _rewritten(path, tmp_path / "f", set_changes=[first, moved]),
        SnapshotErrorCode.BAD_SET_CHANGE,
    )


def test_the_nodes_records_of_set_changes_decode_to_the_enacting_blocks(
    changed: tuple[Path, Chain],
) -> None:
    _, chain = changed
    records = [SET_CHANGE.decode(raw) for raw in chain.store.set_changes()]
    for expected_set, record in enumerate(records, start=1):
        stored = chain.store.hash_at(record.header.number)
        assert stored == record.header.hash()
        changes = chain.store.changes(stored) or {}
        assert AUTHORITY_SET_ID.key in changes
        assert changes[AUTHORITY_SET_ID.key] == AUTHORITY_SET_ID.value_codec.encode(expected_set)


def test_a_version_1_file_is_still_read(tmp_path: Path) -> None:
    """A snapshot written before set changes existed (no changes, genesis set) imports."""
    chain = Chain(MemoryChainStore(), GENESIS)
    for _ in range(3):
        _author(chain, [])
    path = tmp_path / "v2.snapshot"
    export_snapshot(chain.store, GENESIS, path)
    reader = SnapshotReader(path)
    head = reader.head
    items = list(reader.items())
    reader.close()
    encoded = codec_of(SnapshotHeadV1).encode(
        SnapshotHeadV1(
            head.genesis, head.genesis_proof, head.header, head.justification, len(items)
        )
    )
    body = MAGIC_PREFIX + b"\x01" + len(encoded).to_bytes(4, "little") + encoded
    for key, value in items:
        body += len(key).to_bytes(4, "little") + key + len(value).to_bytes(4, "little") + value
    old = tmp_path / "v1.snapshot"
    old.write_bytes(body + hashlib.blake2b(body, digest_size=32).digest())
    summary = import_snapshot(MemoryChainStore(), GENESIS, old)
    assert summary.block_hash == chain.head_hash
    (tmp_path / "v9.snapshot").write_bytes(MAGIC_PREFIX + b"\x09" + body[15:])
    _refused(tmp_path / "v9.snapshot", SnapshotErrorCode.NOT_A_SNAPSHOT)


def test_inspect_snapshot_verifies_without_importing(
    changed: tuple[Path, Chain], tmp_path: Path
) -> None:
    """`khala node --dev inspect-snapshot FILE [--full] --json`: the head, then the state."""
    path, source = changed
    runner = CliRunner()

    def inspect(target: Path, *extra: str) -> dict[str, Any]:
        result = runner.invoke(
            app, ["node", "--dev", "inspect-snapshot", str(target), *extra, "--json"]
        )
        assert result.exit_code in (0, 2), result.output
        answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        return answer

    shown = inspect(path)
    assert shown["block"] == source.head.number and shown["state_checked"] is False
    assert [change["set_id"] for change in shown["set_changes"]] == [1, 2]
    assert inspect(path, "--full")["state_checked"] is True
    reader = SnapshotReader(path)
    items = list(reader.items())
    reader.close()
    short = tmp_path / "short.snapshot"
    with short.open("wb") as handle:
        write_snapshot(handle, replace(reader.head, item_count=len(items) - 1), iter(items[:-1]))
    assert inspect(short)["block"] == source.head.number  # the head alone still verifies
    assert inspect(short, "--full")["error"]["code"] == "snapshot.state_root_mismatch"
    assert not (tmp_path / "chain").exists()  # nothing imported anywhere
