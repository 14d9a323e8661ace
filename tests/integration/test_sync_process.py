"""Node + 2 workers + a fleet relayer as real processes: verified sync, messages, checkpoints."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from khala.primitives.crypto import keypair_from_uri
from khala.primitives.scale import codec_of
from khala.runtime.events import EventRecord
from khala.runtime.modules.mq.calls import PingWorkers
from khala.runtime.modules.mq.constants import PONG_TOPIC
from khala.runtime.modules.mq.events import OffchainMessageAccepted
from khala.runtime.modules.sudo.calls import Sudo
from khala.sdk import Client
from khala.sdk.core import EVENTS_KEY
from tests.integration.processes import KHALA, free_port, node, rpc

OPERATOR = "0x" + keypair_from_uri("//Alice").public_key.hex()
"""The workers' operator; their relayer pays with //Dave, so //Alice's sudo nonces never race it."""


def _info(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/info", timeout=5) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def _spawn(tmp_path: Path, *args: str, log: str) -> subprocess.Popen[bytes]:
    handle = (tmp_path / log).open("ab")
    return subprocess.Popen([KHALA, *args], stdout=handle, stderr=handle)


def _wait(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("condition not reached in time")


def test_fleet_sync_messages_and_checkpoint_restart(tmp_path: Path) -> None:
    """Two workers stay verified-in-sync through one relayer and survive a kill -9.

    Both reach the node's state root; a ping reaches both; each pong lands exactly once; a
    worker killed mid-sync resumes from its checkpoint.
    """
    pki = tmp_path / "pki"
    with node(tmp_path / "chain", "--dev-pki", str(pki), "--block-time", "0.5") as (_, node_port):
        url = f"http://127.0.0.1:{node_port}"
        ports = [free_port(), free_port()]
        controls = [free_port(), free_port()]
        workers = [
            _spawn(
                tmp_path,
                "worker",
                "--node",
                url,
                "--base-path",
                str(tmp_path / f"w{index}"),
                "--dev-pki",
                str(pki),
                "--port",
                str(port),
                "--control-port",
                str(controls[index]),
                "--operator",
                OPERATOR,
                "--checkpoint-interval",
                "5",
                "--benchmark-duty",
                "0.05",
                log=f"w{index}.log",
            )
            for index, port in enumerate(ports)
        ]
        relayer = None
        try:
            _wait(lambda: all(_info(port)["synced_height"] == -1 for port in ports))
            relayer = _spawn(
                tmp_path,
                "relayer",
                "--node",
                url,
                "--workers",
                ",".join(f"http://127.0.0.1:{control}" for control in controls),
                "--operator",
                "//Dave",
                "--state",
                str(tmp_path / "relayer.json"),
                log="relayer.log",
            )
            _wait(
                lambda: (
                    len(Client(url).workers()) == 2
                    and all(_info(port)["synced_height"] > 5 for port in ports)
                )
            )
            client = Client(url)
            pushed = client.submit(
                client.sign(keypair_from_uri("//Alice"), Sudo(PingWorkers(b"hi")))
            )
            assert pushed.success
            pubkeys = {_info(port)["pubkey"] for port in ports}

            def pongs_landed() -> bool:
                return all(
                    _info(port)["pending_egress"] == 0
                    and _info(port)["synced_height"] > (pushed.block_number or 0) + 2
                    for port in ports
                )

            _wait(pongs_landed)
            assert _pongs_accepted(url) == {pubkey: 1 for pubkey in pubkeys}
            finalized = rpc(node_port, "chain_getFinalizedHead")
            head = int(rpc(node_port, "chain_getHeader", finalized)["number"], 16)
            _wait(lambda: all(_info(port)["synced_height"] >= head for port in ports))
            roots = {_info(port)["synced_height"]: _info(port)["state_root"] for port in ports}
            for number, root in roots.items():
                header = rpc(
                    node_port, "chain_getHeader", rpc(node_port, "chain_getBlockHash", number)
                )
                assert header["stateRoot"] == root
            killed_at = _info(ports[0])["synced_height"]
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            workers[0] = _spawn(
                tmp_path,
                "worker",
                "--node",
                url,
                "--base-path",
                str(tmp_path / "w0"),
                "--dev-pki",
                str(pki),
                "--port",
                str(ports[0]),
                "--control-port",
                str(controls[0]),
                "--checkpoint-interval",
                "5",
                "--benchmark-duty",
                "0.05",
                log="w0.log",
            )
            _wait(lambda: _info(ports[0])["synced_height"] >= 0)
            assert "checkpoint loaded" in (tmp_path / "w0.log").read_text()
            resumed = _info(ports[0])["synced_height"]
            assert resumed >= killed_at - 5 and resumed > 0
            _wait(lambda: _info(ports[0])["synced_height"] > killed_at)
            time.sleep(2)
            assert _pongs_accepted(url) == {pubkey: 1 for pubkey in pubkeys}
        finally:
            for process in [*workers, relayer]:
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(timeout=20)


def _pongs_accepted(url: str) -> dict[str, int]:
    """How many pongs each worker landed, counted from every block's events."""
    client = Client(url)
    counts: dict[str, int] = {}
    for number in range(1, client.head().number + 1):
        block = client.block(number)
        raw = client.rpc("state_getStorage", "0x" + EVENTS_KEY.hex(), "0x" + block.block_hash.hex())
        for record in codec_of(list[EventRecord]).decode(bytes.fromhex(raw[2:])):
            event = record.event
            if isinstance(event, OffchainMessageAccepted) and event.destination == PONG_TOPIC:
                sender = "0x" + bytes(event.sender.pubkey).hex()
                counts[sender] = counts.get(sender, 0) + 1
    return counts
