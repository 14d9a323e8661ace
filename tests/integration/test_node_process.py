"""A real node process: CLI transfers, kill -9, restart at the same head with the same state."""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path

from khala.primitives.crypto import keypair_from_uri
from khala.runtime.modules.system.state import ACCOUNT
from tests.integration.processes import cli, node, rpc

BOB = "43qsYbZGLn2xzNuurY6BY4QNDSUU7gLEcXuckpm6B3DEmEx9"  # //Bob on khala (prefix 30)
PHA = 10**12
ALICE_ACCOUNT_KEY = "0x" + ACCOUNT.key_of(keypair_from_uri("//Alice").public_key).hex()


def _signature_processes(pid: int) -> list[int]:
    """The node's signature verification children (from /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"khala.node.signature_worker" in command:
                found.append(int(child))
    return found


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # exited, waiting for whoever adopted it to reap it


def test_transfer_kill_restart_keeps_head_and_balances(tmp_path: Path) -> None:
    """After SIGKILL and restart the node resumes at the same head with the same balances.

    The node's signature process does not outlive it: its input closes when the node dies.
    """
    base = tmp_path / "chain"
    with node(base, "--instant-seal", "--signature-processes", "1") as (process, port):
        url = f"http://127.0.0.1:{port}"
        sent = cli(
            "tx",
            "transfer",
            "--from",
            "//Alice",
            "--to",
            BOB,
            "--amount",
            "1.5PHA",
            "--url",
            url,
            "--json",
        )
        assert sent.returncode == 0, sent.stderr
        receipt = json.loads(sent.stdout)
        assert receipt["success"] is True and receipt["block_number"] == 1
        assert (receipt["amount"], receipt["amount_pha"], receipt["to"]) == (
            1_500_000_000_000,
            "1.5 PHA",
            BOB,
        )
        balance = json.loads(cli("query", "balance", BOB, "--url", url, "--json").stdout)
        assert balance["free"] == 1_000_001_500_000_000_000
        assert balance["free_pha"] == "1000001.5 PHA"  # JSON: planck and the text's figure
        head = json.loads(cli("chain", "head", "--url", url, "--json").stdout)
        children = _signature_processes(process.pid)
        assert len(children) == 1  # started by the first submission
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 30
        while not _gone(children[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(children[0])
    with node(base, "--instant-seal") as (_, port):
        url = f"http://127.0.0.1:{port}"
        again = json.loads(cli("chain", "head", "--url", url, "--json").stdout)
        assert (again["number"], again["hash"], again["state_root"]) == (
            head["number"],
            head["hash"],
            head["state_root"],
        )
        assert json.loads(cli("query", "balance", BOB, "--url", url, "--json").stdout) == balance
        second = cli(
            "tx",
            "transfer",
            "--from",
            "//Alice",
            "--to",
            BOB,
            "--amount",
            "1PHA",
            "--url",
            url,
            "--json",
            "--immortal",
        )
        assert json.loads(second.stdout)["block_number"] == 2
        assert "warning: an immortal transaction can be replayed" in second.stderr
        failed = cli(
            "tx",
            "transfer",
            "--from",
            "//Charlie",
            "--to",
            BOB,
            "--amount",
            "10000000PHA",
            "--url",
            url,
            "--json",
        )
        assert failed.returncode == 1
        assert json.loads(failed.stdout)["error"] == "balances.insufficient_balance"


def test_kill_during_block_production_never_corrupts(tmp_path: Path) -> None:
    """SIGKILL at random moments while authoring: every restart finds a complete, final head."""
    base = tmp_path / "chain"
    rng = random.Random(7)
    last_number = 0
    for _ in range(3):
        with node(base, "--block-time", "0.1") as (process, port):
            head = rpc(port, "chain_getHeader")
            number = int(head["number"], 16)
            assert number >= last_number
            block_hash = rpc(port, "chain_getBlockHash", number)
            block = rpc(port, "chain_getBlock", block_hash)
            assert block["justifications"] is not None or number == 0
            assert rpc(port, "state_getStorage", ALICE_ACCOUNT_KEY) is not None
            time.sleep(0.3 + rng.random())
            last_number = int(rpc(port, "chain_getHeader")["number"], 16)
            process.send_signal(signal.SIGKILL)
            process.wait()
    assert last_number > 3
