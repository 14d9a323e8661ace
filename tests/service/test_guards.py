"""Hardening: one process per base path, and a taken port is refused before anything is made."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from khala.service.guards import BasePathLock, GuardError, GuardErrorCode, ensure_port_free


def test_a_base_path_has_one_holder_who_is_named(tmp_path: Path) -> None:
    """A second claim is refused naming the holder's pid; after release it succeeds."""
    first = BasePathLock(tmp_path / "node")
    with pytest.raises(GuardError) as caught:
        BasePathLock(tmp_path / "node")
    assert caught.value.code is GuardErrorCode.BASE_PATH_LOCKED
    assert f"pid {os.getpid()}" in caught.value.message
    first.release()
    BasePathLock(tmp_path / "node").release()


def test_a_port_in_use_is_refused_with_the_option_to_change(tmp_path: Path) -> None:
    """A listening socket makes the guard refuse; a free port passes."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(GuardError) as caught:
            ensure_port_free("127.0.0.1", port, "--rpc-port")
        assert caught.value.code is GuardErrorCode.PORT_IN_USE
        assert "--rpc-port" in caught.value.message
    ensure_port_free("127.0.0.1", port, "--rpc-port")
