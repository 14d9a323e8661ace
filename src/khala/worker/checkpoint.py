"""Sealed checkpoints of the worker's verified state.

Every ``interval`` blocks the worker seals a snapshot (head header, every state item, its
send queue) into ``checkpoints/checkpoint-<number>.sealed``, keeping the newest five. On start
it loads the newest one that opens and decodes, logging any it has to skip; if checkpoints
exist but none is usable it refuses to start rather than silently resync from genesis.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import structlog

from khala.enclave.backend import EnclaveBackend, EnclaveError
from khala.errors import KhalaError
from khala.primitives.scale import H256, U64, ScaleError, codec_of
from khala.primitives.types import Header
from khala.runtime.modules.mq.types import SignedMessage
from khala.service.files import write_atomic

log = structlog.get_logger("khala.worker.checkpoint")

KEEP = 5
"""Checkpoints kept on disk."""
CHECKPOINT_GLOB = "checkpoint-*.sealed"
"""The names of sealed checkpoints inside :data:`DIRECTORY`."""
DIRECTORY = "checkpoints"
"""Sub-directory of the worker's base path."""
LABEL = b"khala/worker-checkpoint"
"""Sealing label of checkpoints."""


class CheckpointErrorCode(StrEnum):
    """Codes of :class:`CheckpointError`."""

    ALL_CORRUPT = "checkpoint.all_corrupt"
    """Checkpoints exist but none opens; restore one or remove them to resync explicitly."""
    IDENTITY_MISMATCH = "checkpoint.identity_mismatch"
    """The checkpoints belong to another worker identity (its sealed keys were replaced):
    restore the original ``worker-keys.sealed``, or move the checkpoints away to start this
    identity from genesis."""


class CheckpointError(KhalaError):
    """The worker cannot resume."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything a worker needs to resume, bound to the identity that took it."""

    identity: H256
    """The worker identity whose state (and signed send queue) this is."""
    genesis_hash: H256
    """The chain it follows."""
    head: Header
    """Its verified head."""
    items: list[tuple[bytes, bytes]]
    """Every key/value of the verified state at the head."""
    next_sequence: U64
    """The send queue's next sequence."""
    pending: list[SignedMessage]
    """Signed messages not yet accepted on chain."""


_SNAPSHOT = codec_of(Snapshot)


def save(base_path: Path, backend: EnclaveBackend, snapshot: Snapshot) -> Path:
    """Seal and write a checkpoint atomically; prune to the newest five."""
    directory = base_path / DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoint-{snapshot.head.number:010d}.sealed"
    write_atomic(path, backend.seal(_SNAPSHOT.encode(snapshot), LABEL))
    for old in sorted(directory.glob(CHECKPOINT_GLOB))[:-KEEP]:
        old.unlink()
    kept = {_number(found) for found in directory.glob(CHECKPOINT_GLOB)}
    for companion in directory.glob("*-*.companion"):
        if _number(companion) not in kept:
            companion.unlink()
    return path


def _number(path: Path) -> str:
    """The block number a checkpoint or companion file was taken at (``…-0000000240.ext``)."""
    return path.name.rsplit("-", 1)[1].split(".", 1)[0]


def save_companion(
    base_path: Path, backend: EnclaveBackend, number: int, name: str, data: bytes
) -> None:
    """Seal extra state taken at checkpoint ``number`` (e.g. a gatekeeper's economics).

    Write it before the checkpoint itself, so a checkpoint never exists without it.
    """
    directory = base_path / DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{number:010d}.companion"
    write_atomic(path, backend.seal(data, LABEL + b"/" + name.encode()))


def load_companion(
    base_path: Path, backend: EnclaveBackend, number: int, name: str
) -> bytes | None:
    """The extra state sealed with checkpoint ``number``, or None if missing or unusable."""
    path = base_path / DIRECTORY / f"{name}-{number:010d}.companion"
    try:
        return backend.unseal(path.read_bytes(), LABEL + b"/" + name.encode())
    except (EnclaveError, OSError) as error:
        log.warning("checkpoint companion unusable", path=str(path), error=str(error))
        return None


def has_checkpoints(base_path: Path) -> bool:
    """Whether any checkpoint exists under ``base_path`` (usable or not)."""
    return any((base_path / DIRECTORY).glob(CHECKPOINT_GLOB))


def load_latest(base_path: Path, backend: EnclaveBackend, identity: bytes) -> Snapshot | None:
    """Return the newest usable checkpoint of ``identity``, None if there are none.

    Raises:
        CheckpointError: ``checkpoint.all_corrupt`` when checkpoints exist but none opens;
            ``checkpoint.identity_mismatch`` when they were taken by another identity.
    """
    candidates = sorted((base_path / DIRECTORY).glob(CHECKPOINT_GLOB), reverse=True)
    for path in candidates:
        try:
            snapshot: Snapshot = _SNAPSHOT.decode(backend.unseal(path.read_bytes(), LABEL))
        except (EnclaveError, ScaleError, OSError) as error:
            log.warning(
                "checkpoint unusable, trying an older one", path=str(path), error=str(error)
            )
            continue
        if snapshot.identity != identity:
            raise CheckpointError(
                CheckpointErrorCode.IDENTITY_MISMATCH,
                f"the checkpoints in {base_path / DIRECTORY} belong to worker "
                f"0x{snapshot.identity.hex()}, not to this identity 0x{identity.hex()}; "
                "restore its worker-keys.sealed, or move the checkpoints away to start "
                "this identity from genesis",
            )
        log.info("checkpoint loaded", path=str(path), head=snapshot.head.number)
        return snapshot
    if candidates:
        raise CheckpointError(
            CheckpointErrorCode.ALL_CORRUPT,
            f"none of the {len(candidates)} checkpoints in {base_path / DIRECTORY} opens; "
            "restore a backup, or remove them to resync from genesis deliberately",
        )
    return None
