"""Start-up guards shared by the node and the worker: one process per base path, a free port.

Two processes on one base path would corrupt each other's database or sealed state, so each
holds an exclusive lock on ``BASE/LOCK`` (``flock``, released by the kernel when the process
dies, so a crash never leaves a stale lock) with its pid inside for the error message. A port
already in use is found before anything is created (keys, databases).
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
from enum import StrEnum
from pathlib import Path
from typing import IO

from khala.errors import KhalaError

LOCK_NAME = "LOCK"
"""The lock file's name inside a base path."""


class GuardErrorCode(StrEnum):
    """Why a process refused to start."""

    BASE_PATH_LOCKED = "service.base_path_locked"
    """Another khala process uses the base path; the message names its pid."""
    PORT_IN_USE = "service.port_in_use"
    """The port is taken; the message names the option that chooses another."""


class GuardError(KhalaError):
    """A process cannot start as configured."""


class BasePathLock:
    """An exclusive claim on a base path for the life of this process (or until released)."""

    def __init__(self, base_path: Path) -> None:
        """Claim ``base_path`` (created if missing).

        Raises:
            GuardError: ``service.base_path_locked`` naming the holder's pid.
        """
        base_path.mkdir(parents=True, exist_ok=True)
        self.path = base_path / LOCK_NAME
        handle: IO[str] = self.path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise GuardError(
                GuardErrorCode.BASE_PATH_LOCKED,
                f"{base_path} is in use by another khala process (pid {holder}); stop it or "
                "choose another --base-path",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle: IO[str] | None = handle

    def release(self) -> None:
        """Give the base path up (also happens when the process exits)."""
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def ensure_port_free(host: str, port: int, option: str) -> None:
    """Refuse to start on a port another process already listens on.

    Raises:
        GuardError: ``service.port_in_use`` naming ``option`` to choose another port.
    """
    if port == 0:
        return  # the system picks a free one
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # as the servers do, so a restart is not refused for connections in TIME_WAIT
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            raise GuardError(
                GuardErrorCode.PORT_IN_USE,
                f"port {port} on {host} is already in use; choose another with {option}",
            ) from None
