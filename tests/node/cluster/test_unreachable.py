"""A node started with etcd endpoints nobody answers on stops with a typed error."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from pathlib import Path

import pytest

from khala.node.etcd.client import EtcdError, EtcdErrorCode, wait_until_reachable
from khala.node.etcd.gateway import GatewayEtcd
from khala.node.etcd.memory import MemoryEtcd
from tests.integration.processes import KHALA


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_waiting_for_etcd_gives_up_with_every_endpoints_failure() -> None:
    endpoints = [f"http://127.0.0.1:{_closed_port()}", f"http://127.0.0.1:{_closed_port()}"]

    async def scenario() -> None:
        etcd = GatewayEtcd(endpoints)
        try:
            with pytest.raises(EtcdError) as caught:
                await wait_until_reachable(etcd, b"/probe", 0.3, retry_s=0.1)
        finally:
            await etcd.close()
        assert caught.value.code is EtcdErrorCode.UNAVAILABLE
        assert all(endpoint in caught.value.message for endpoint in endpoints)
        assert "--etcd-endpoints" in caught.value.message
        await wait_until_reachable(MemoryEtcd(), b"/probe", 0.3)  # a live one answers at once

    asyncio.run(scenario())


def test_the_node_command_exits_with_etcd_unavailable(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    result = subprocess.run(  # a process: the command configures logging for its lifetime
        [KHALA, "node", "--dev", "--base-path", str(tmp_path), "--rpc-port", str(_closed_port()),
         "--engine", "etcd", "--etcd-endpoints", dead, "--etcd-connect-timeout", "1"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "error[etcd.unavailable]" in result.stderr and dead in result.stderr
    assert time.monotonic() - started < 30
