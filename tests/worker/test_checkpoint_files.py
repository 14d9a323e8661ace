"""Checkpoint files: pruning keeps the newest checkpoints and the companions taken with them."""

from __future__ import annotations

from pathlib import Path

from khala.enclave.simulated import SimulatedEnclave
from khala.primitives.types import Header
from khala.worker import checkpoint

IDENTITY = bytes([7]) * 32


def _snapshot(number: int) -> checkpoint.Snapshot:
    head = Header(bytes(32), number, bytes(32), bytes(32), [])
    return checkpoint.Snapshot(IDENTITY, bytes(32), head, [], 0, [])


def test_a_checkpoint_keeps_the_companion_saved_with_it(tmp_path: Path) -> None:
    """A gatekeeper's economics (its companion) survives its own checkpoint being saved."""
    backend = SimulatedEnclave(tmp_path / "machine.key", tmp_path / "pki", lambda: 1)
    checkpoint.save_companion(tmp_path, backend, 240, "gatekeeper", b"economics at 240")
    checkpoint.save(tmp_path, backend, _snapshot(240))
    found = checkpoint.load_companion(tmp_path, backend, 240, "gatekeeper")
    assert found == b"economics at 240"


def test_pruning_drops_old_checkpoints_and_only_their_companions(tmp_path: Path) -> None:
    """Five checkpoints stay; the companions of pruned ones go, the others stay."""
    backend = SimulatedEnclave(tmp_path / "machine.key", tmp_path / "pki", lambda: 1)
    for number in range(10, 80, 10):
        checkpoint.save_companion(tmp_path, backend, number, "gatekeeper", str(number).encode())
        checkpoint.save(tmp_path, backend, _snapshot(number))
    directory = tmp_path / checkpoint.DIRECTORY
    kept = sorted(p.name for p in directory.glob("checkpoint-*.sealed"))
    assert kept == [f"checkpoint-{n:010d}.sealed" for n in range(30, 80, 10)]
    companions = sorted(p.name for p in directory.glob("*.companion"))
    assert companions == [f"gatekeeper-{n:010d}.companion" for n in range(30, 80, 10)]
    assert checkpoint.load_latest(tmp_path, backend, IDENTITY) is not None
