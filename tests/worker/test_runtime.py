"""Worker runtime: checkpoints with fallback, send queue purge against verified ingress."""

from __future__ import annotations

from pathlib import Path

import pytest

from khala.enclave.simulated import SimulatedEnclave
from khala.node.snapshot_ops import export_snapshot
from khala.primitives.crypto import KeyScheme, keypair_from_seed
from khala.runtime.genesis import dev_genesis
from khala.runtime.modules.mq.constants import PONG_TOPIC
from khala.snapshot.format import SnapshotError, SnapshotErrorCode
from khala.worker.checkpoint import (
    CheckpointError,
    CheckpointErrorCode,
    save_companion,
)
from khala.worker.gatekeeper import COMPANION
from khala.worker.identity import load_or_create_keys
from khala.worker.runtime import WorkerRuntime
from khala.worker.send_queue import SendQueue
from tests.worker.test_light_client import _chain_with_blocks


def _runtime(tmp_path: Path, genesis_hash: bytes) -> WorkerRuntime:
    enclave = SimulatedEnclave(tmp_path / "machine.key", tmp_path / "pki", lambda: 1)
    keys, _ = load_or_create_keys(enclave, tmp_path / "worker")
    return WorkerRuntime(keys, enclave, genesis_hash, tmp_path / "worker", checkpoint_interval=1)


def test_checkpoints_resume_and_fall_back_to_an_older_one(tmp_path: Path) -> None:
    """A restart resumes from the newest checkpoint, or from an older one if it is corrupt."""
    chain, blocks = _chain_with_blocks()
    runtime = _runtime(tmp_path, chain.genesis_hash)
    report = runtime.sync(blocks)
    assert report.error is None and runtime.height == 3
    # Block 2 holds an account's ping (ignored: it would make the operator pay) and
    # governance's ping (answered once, with its payload).
    assert runtime.queue.next_sequence == 1
    assert [m.message.payload for m in runtime.queue.messages()] == [b"governance asks"]
    # The account's ping never reached the handler: the topic admits modules only.
    assert runtime.router.stats.as_json() == {
        "delivered": 1,
        "refused": {"topic.wrong_sender": {"khala/worker/ping": 1}},
    }
    resumed = _runtime(tmp_path, chain.genesis_hash)
    assert resumed.height == 3 and resumed.client.trie.root_hash() == chain.head.state_root
    assert [message.message.destination for message in resumed.queue.messages()] == [PONG_TOPIC]
    newest = sorted((tmp_path / "worker" / "checkpoints").glob("*.sealed"))[-1]
    newest.write_bytes(b"corrupt")
    fallen_back = _runtime(tmp_path, chain.genesis_hash)
    assert fallen_back.height == 2
    assert fallen_back.sync(blocks[3:]).error is None and fallen_back.height == 3


def test_all_corrupt_checkpoints_refuse_to_start(tmp_path: Path) -> None:
    """When checkpoints exist but none opens, the worker does not silently resync."""
    chain, blocks = _chain_with_blocks()
    _runtime(tmp_path, chain.genesis_hash).sync(blocks)
    for path in (tmp_path / "worker" / "checkpoints").glob("*.sealed"):
        path.write_bytes(b"corrupt")
    with pytest.raises(CheckpointError) as caught:
        _runtime(tmp_path, chain.genesis_hash)
    assert caught.value.code is CheckpointErrorCode.ALL_CORRUPT


def test_send_queue_keeps_messages_until_accepted() -> None:
    """Messages get increasing sequences and are purged once the chain's sequence passes them."""
    queue = SendQueue(keypair_from_seed(KeyScheme.SR25519, b"\x01" * 32))
    for payload in (b"a", b"b", b"c"):
        queue.push(b"topic", payload)
    assert [message.sequence for message in queue.messages()] == [0, 1, 2]
    queue.purge(2)
    assert [message.sequence for message in queue.messages()] == [2]


def test_bad_batch_stops_and_keeps_the_last_good_state(tmp_path: Path) -> None:
    """A batch with a tampered block imports up to it and reports the typed reason."""
    from dataclasses import replace

    chain, blocks = _chain_with_blocks()
    runtime = _runtime(tmp_path, chain.genesis_hash)
    key = next(iter(blocks[2].changes))
    bad = replace(blocks[2], changes={**blocks[2].changes, key: b"evil"})
    report = runtime.sync([blocks[0], blocks[1], bad, blocks[3]])
    assert report.imported == 2 and report.height == 1
    assert report.error is not None and report.error.code.value == "sync.state_root_mismatch"
    assert runtime.sync(blocks[2:]).height == 3


def test_worker_reports_behind_when_blocks_stop_arriving(tmp_path: Path) -> None:
    """With blocks withheld, /info's status says the worker is behind (its head is old)."""
    from khala.worker.config import WorkerConfig
    from khala.worker.service import WorkerService

    chain, blocks = _chain_with_blocks()
    service = WorkerService(WorkerConfig("http://127.0.0.1:1", tmp_path / "worker"))
    service.runtime = _runtime(tmp_path, chain.genesis_hash)
    assert service._sync_status()["is_behind"] is True
    service.runtime.sync(blocks[:3])
    status = service._sync_status()
    assert status["synced_height"] == 2 and status["is_behind"] is True
    assert status["behind_seconds"] > 60  # the test chain's blocks are from 2023


def test_checkpoints_refuse_another_identity(tmp_path: Path) -> None:
    """Deleting the sealed keys makes a new identity, which must not inherit the checkpoints.

    Found by trying: the new identity carried on from the old one's checkpoint, send queue
    included.
    """
    chain, blocks = _chain_with_blocks()
    runtime = _runtime(tmp_path, chain.genesis_hash)
    assert runtime.sync(blocks).error is None
    (tmp_path / "worker" / "worker-keys.sealed").unlink()
    with pytest.raises(CheckpointError) as caught:
        _runtime(tmp_path, chain.genesis_hash)
    assert caught.value.code is CheckpointErrorCode.IDENTITY_MISMATCH
    assert "0x" + runtime.keys.identity.public_key.hex() in caught.value.message


def test_a_restarted_gatekeeper_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    """A restarted gatekeeper resumes at its checkpoint instead of replaying from genesis.

    Its economics are saved beside each checkpoint and must be kept with it.
    """
    chain, blocks = _chain_with_blocks()
    enclave = SimulatedEnclave(tmp_path / "machine.key", tmp_path / "pki", lambda: 1)
    keys, _ = load_or_create_keys(enclave, tmp_path / "worker")

    def gatekeeper() -> WorkerRuntime:
        return WorkerRuntime(
            keys, enclave, chain.genesis_hash, tmp_path / "worker", 1, gatekeeper=True
        )

    first = gatekeeper()
    assert first.sync(blocks).error is None and first.height == 3
    resumed = gatekeeper()
    assert resumed.height == 3
    assert resumed.client.trie.root_hash() == chain.head.state_root
    # A companion an older release saved (another format) does not stop the gatekeeper: it
    # replays from genesis instead.
    for path in (tmp_path / "worker" / "checkpoints").glob("gatekeeper-*.companion"):
        number = int(path.stem.rsplit("-", 1)[1])
        save_companion(tmp_path / "worker", enclave, number, COMPANION, b"\x07old")
    replaying = gatekeeper()
    assert replaying.height == -1
    assert replaying.sync(blocks).error is None and replaying.height == 3


def test_a_restored_queue_never_reuses_sequences_the_chain_accepted() -> None:
    """After a crash the checkpoint's queue is behind the chain: its sequences move past it.

    The checkpoint said the next sequence is 2; before the crash the worker sent sequences
    2-4 and the chain accepted them. Purging against the chain (next: 5) must drop the stale
    pending messages and make the next message sequence 5, not a reused 2.
    """
    key = keypair_from_seed(KeyScheme.SR25519, b"\x31" * 32)
    original = SendQueue(key)
    for n in range(3):
        original.push(PONG_TOPIC, bytes([n]))
    restored = SendQueue(key, 2, original.messages()[2:])
    restored.purge(5)
    assert restored.messages() == []
    assert restored.push(PONG_TOPIC, b"next").sequence == 5


def test_a_worker_starts_from_a_verified_snapshot_and_syncs_on(tmp_path: Path) -> None:
    """Without a checkpoint, a snapshot replaces the replay from genesis.

    Later blocks are still checked one by one. A gatekeeper may not start from one.
    """
    chain, blocks = _chain_with_blocks()
    snapshot = tmp_path / "at-2.snapshot"
    export_snapshot(chain.store, dev_genesis(), snapshot, at=2)
    enclave = SimulatedEnclave(tmp_path / "machine.key", tmp_path / "pki", lambda: 1)
    keys, _ = load_or_create_keys(enclave, tmp_path / "worker")
    runtime = WorkerRuntime(
        keys, enclave, chain.genesis_hash, tmp_path / "worker", 1, from_snapshot=snapshot
    )
    assert runtime.height == 2
    assert runtime.sync(blocks[3:]).error is None and runtime.height == 3
    assert runtime.client.trie.root_hash() == chain.head.state_root
    with pytest.raises(SnapshotError) as caught:
        WorkerRuntime(
            keys,
            enclave,
            chain.genesis_hash,
            tmp_path / "gatekeeper",
            1,
            gatekeeper=True,
            from_snapshot=snapshot,
        )
    assert caught.value.code is SnapshotErrorCode.GATEKEEPER
    with pytest.raises(SnapshotError) as foreign:
        WorkerRuntime(keys, enclave, b"\x01" * 32, tmp_path / "other", 1, from_snapshot=snapshot)
    assert foreign.value.code is SnapshotErrorCode.FOREIGN
