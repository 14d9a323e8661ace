"""Writing a file so that a crash leaves either the old content or the new, never a mix.

The data goes to a temporary file in the same directory (created with its final permissions,
so a secret is never briefly readable), is flushed to disk, and is renamed over the target;
the directory is synced so the rename itself survives a power cut.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PRIVATE = 0o600
"""Permissions of files holding secrets or sealed data: readable by their owner only."""


def write_atomic(path: Path, data: bytes, *, mode: int = PRIVATE) -> None:
    """Replace ``path`` with ``data`` atomically, with permissions ``mode``.

    Raises:
        OSError: When the directory cannot be written; the target is then unchanged.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
