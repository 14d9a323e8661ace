"""Three nodes, one chain: `khala cluster up` with real etcd members and node processes.

One cluster serves the whole module (starting it costs ~10 s): transfers through any node,
the leader killed under load, a forged log entry, a paused (stale) leader, a fourth node
joining from a peer's snapshot, a governance set change, and workers with relayers on
different nodes (one started from a snapshot carrying the set change), each checked for one
chain: same blocks, same state roots, nothing accepted lost, nothing forged finalized.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from khala.node.etcd.client import Compare, Put
from khala.node.etcd.gateway import GatewayEtcd
from khala.node.etcd.log import BLOCK_CODEC, LeaderInfo, LogKeys
from khala.primitives.crypto import keypair_from_uri
from khala.runtime.block import Block
from khala.sdk import core
from tests.integration.processes import KHALA, cli, free_port, rpc, start_node
from tests.node.cluster.harness import transfer

BLOCK_TIME = "1"
DEADLINE_S = 60.0


class RunningCluster:
    """`khala cluster up --json-status` in the background, its last status line at hand."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.process = subprocess.Popen(
            [KHALA, "cluster", "up", "--dir", str(directory), "--block-time", BLOCK_TIME,
             "--json-status"],
            stdout=subprocess.PIPE, stderr=(directory.parent / "cluster.err").open("wb"),
            text=True,
        )  # fmt: skip
        self.status: dict[str, Any] = {}
        self._genesis: bytes | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self.status = json.loads(line)

    def ports(self) -> list[int]:
        return [int(node["rpc"].rsplit(":", 1)[1]) for node in self.status["nodes"]]

    def endpoints(self) -> list[str]:
        return list(self.status["etcd"])

    def wait(
        self, condition: Any, what: str, timeout: float = DEADLINE_S, detail: Any = None
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.status and condition():
                    return
            except (OSError, KeyError, TypeError):
                pass
            time.sleep(0.2)
        extra = detail() if detail is not None else self.status
        raise AssertionError(f"timed out waiting for {what}; {extra}")

    def finalized(self, port: int) -> int:
        final = rpc(port, "chain_getFinalizedHead")
        return int(rpc(port, "chain_getHeader", final)["number"], 16)

    def leader_port(self) -> int | None:
        info = asyncio.run(_leader(self.endpoints(), self.genesis()))
        return None if info is None else int(info.rpc_url.rsplit(":", 1)[1])

    def genesis(self) -> bytes:
        if self._genesis is None:  # asked once: a node may be paused later
            self._genesis = bytes.fromhex(rpc(self.ports()[0], "chain_getBlockHash", 0)[2:])
        return self._genesis

    def pid_of(self, port: int) -> int:
        for node in self.status["nodes"]:
            if node["rpc"].endswith(f":{port}"):
                return int(node["pid"])
        raise KeyError(port)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def _leader(endpoints: list[str], genesis: bytes) -> LeaderInfo | None:
    etcd = GatewayEtcd(endpoints)
    try:
        found = await etcd.get(LogKeys(genesis).leader)
        return None if found is None else LeaderInfo.decode(found.value)
    finally:
        await etcd.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCluster]:
    running = RunningCluster(tmp_path_factory.mktemp("cluster") / "c")
    try:
        running.wait(
            lambda: all((node["finalized"] or 0) >= 2 for node in running.status["nodes"]),
            "three nodes finalizing",
        )
        yield running
    finally:
        running.stop()


def _same_chain(cluster: RunningCluster, ports: list[int]) -> int:
    """Every node holds the same blocks and state roots up to the lowest finalized height."""
    height = min(cluster.finalized(port) for port in ports)
    for number in range(1, height + 1):
        hashes = {rpc(port, "chain_getBlockHash", number) for port in ports}
        assert len(hashes) == 1, f"nodes differ at #{number}"
    roots = {
        rpc(port, "chain_getHeader", rpc(port, "chain_getBlockHash", height))["stateRoot"]
        for port in ports
    }
    assert len(roots) == 1
    return height


class Sender:
    """Submits transfers from one account to the nodes in turn, counting acceptances.

    A submission that fails (its node was killed) is retried unchanged at the next node; an
    answer that the transaction is known or outdated there means it was accepted before.
    """

    def __init__(self, name: str, genesis: bytes, ports: list[int]) -> None:
        self.name, self.genesis, self.ports = name, genesis, ports
        self.accepted = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        index = 0
        raw = transfer(self.name, 0, os.urandom(32), self.genesis)
        while not self.stop.is_set():
            port = self.ports[index % len(self.ports)]
            index += 1
            try:
                answer = _submit(port, raw)
            except OSError:
                continue  # that node is down: the same transaction goes to the next one
            if "result" in answer or _seen_before(answer):
                self.accepted += 1
                raw = transfer(self.name, self.accepted, os.urandom(32), self.genesis)
            time.sleep(0.05)


def _submit(port: int, raw: bytes) -> dict[str, Any]:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "author_submitExtrinsic",
                       "params": ["0x" + raw.hex()]}).encode()  # fmt: skip
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def _seen_before(answer: dict[str, Any]) -> bool:
    """Already pooled there (1013), or its nonce already used: it was accepted earlier."""
    error = answer.get("error", {})
    return error.get("code") == 1013 or "invalid_transaction.stale" in str(error.get("data"))


def _nonce(port: int, name: str) -> int:
    from khala.primitives.crypto import keypair_from_uri

    key = "0x" + core.account_key(keypair_from_uri(f"//{name}").public_key).hex()
    raw = rpc(port, "state_getStorage", key)
    return 0 if raw is None else int.from_bytes(bytes.fromhex(raw[2:])[:4], "little")


def test_transfers_flow_through_any_node_and_the_nodes_agree(cluster: RunningCluster) -> None:
    """Each node accepts transfers (followers forward them); all three agree block by block."""
    ports = cluster.ports()
    genesis = cluster.genesis()
    for index, port in enumerate(ports):
        raw = transfer("Eve", index, b"\x10" * 31 + bytes([index]), genesis)
        rpc(port, "author_submitExtrinsic", "0x" + raw.hex())
        time.sleep(0.3)
    cluster.wait(lambda: all(_nonce(p, "Eve") == 3 for p in ports), "three transfers everywhere")
    target = max(cluster.finalized(port) for port in ports) + 1
    cluster.wait(lambda: all(cluster.finalized(p) >= target for p in ports), "finality")
    _same_chain(cluster, ports)
    # `khala cluster status` reads the same picture from etcd and the nodes
    shown = cli("cluster", "status", "--etcd-endpoints", ",".join(cluster.endpoints()), "--json")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    status = json.loads(shown.stdout)
    assert status["genesis_hash"] == "0x" + genesis.hex()
    assert status["leader"]["rpc"] == f"http://127.0.0.1:{cluster.leader_port()}"
    assert sorted(int(m["rpc"].rsplit(":", 1)[1]) for m in status["members"]) == sorted(ports)
    assert all(m["finalized"] >= target and m["error"] is None for m in status["members"])
    assert status["log_tip"] >= target


def test_killing_the_leader_under_load_loses_nothing(cluster: RunningCluster) -> None:
    """SIGKILL the leader while transfers flow: another leads within ~3 s, nothing is lost.

    No fork, and every accepted transfer lands (finality resumes once the supervisor has
    restarted the killed node: 3 of 3 signatures are needed).
    """
    ports = cluster.ports()
    sender = Sender("Ferdie", cluster.genesis(), ports)
    sender.thread.start()
    try:
        time.sleep(2)
        old = cluster.leader_port()
        assert old is not None
        os.kill(cluster.pid_of(old), signal.SIGKILL)
        killed_at = time.monotonic()
        cluster.wait(lambda: cluster.leader_port() not in (None, old), "a new leader", timeout=10)
        failover = time.monotonic() - killed_at
        time.sleep(2)
    finally:
        sender.stop.set()
        sender.thread.join()
    assert failover <= 4.0, f"failover took {failover:.1f} s"
    assert sender.accepted > 20
    cluster.wait(lambda: all(_nonce(p, "Ferdie") >= sender.accepted for p in cluster.ports()),
                 f"every accepted transfer on every node ({sender.accepted})",
                 detail=lambda: [_nonce(p, "Ferdie") for p in cluster.ports()])  # fmt: skip
    assert {_nonce(p, "Ferdie") for p in cluster.ports()} == {sender.accepted}
    head = max(int(rpc(p, "chain_getHeader")["number"], 16) for p in cluster.ports())
    cluster.wait(lambda: all(cluster.finalized(p) >= head for p in cluster.ports()), "finality")
    _same_chain(cluster, cluster.ports())


def test_a_forged_log_entry_is_refused_and_never_finalized(cluster: RunningCluster) -> None:
    """A block written to etcd by hand (copied header, tampered extrinsic) is refused.

    Every node refuses it, the leader replaces it, and it never reaches the workers' sync.
    """
    genesis, ports = cluster.genesis(), cluster.ports()
    keys = LogKeys(genesis)

    async def forge() -> tuple[int, bytes]:
        etcd = GatewayEtcd(cluster.endpoints())
        try:
            for _ in range(20):
                head = int(rpc(ports[0], "chain_getHeader")["number"], 16)
                stored = await etcd.get(keys.block(head))
                if stored is None:
                    continue
                genuine = BLOCK_CODEC.decode(stored.value)
                extrinsics = list(genuine.extrinsics)
                extrinsics[0] = extrinsics[0][:-1] + bytes([extrinsics[0][-1] ^ 1])
                header = replace(genuine.header, number=head + 1, parent_hash=genuine.header.hash())
                forged = Block(header, extrinsics)
                written = await etcd.txn(
                    [Compare(keys.block(head + 1), "create", 0)],
                    [Put(keys.block(head + 1), BLOCK_CODEC.encode(forged))],
                )
                if written.succeeded:
                    return head + 1, header.hash()
                await asyncio.sleep(0.05)
            raise AssertionError("the leader always appended first")
        finally:
            await etcd.close()

    height, forged_hash = asyncio.run(forge())
    cluster.wait(lambda: all(cluster.finalized(p) >= height + 2 for p in ports), "finality")
    _same_chain(cluster, ports)
    for port in ports:
        assert rpc(port, "chain_getBlockHash", height) != "0x" + forged_hash.hex()
        synced = rpc(port, "khala_syncBlocks", height, 1)
        assert synced and synced[0]["header"] != "0x" + forged_hash.hex()
    logs = "".join(path.read_text() for path in (cluster.directory / "logs").glob("node*.log"))
    assert "refused a log entry" in logs


def test_a_paused_leader_cannot_append_after_it_resumes(cluster: RunningCluster) -> None:
    """SIGSTOP the leader past its lease: another leads; resumed, the old one steps down."""
    ports = cluster.ports()
    old = cluster.leader_port()
    assert old is not None
    pid = cluster.pid_of(old)
    os.kill(pid, signal.SIGSTOP)
    try:
        cluster.wait(lambda: cluster.leader_port() not in (None, old), "a new leader", timeout=10)
    finally:
        os.kill(pid, signal.SIGCONT)
    head = max(int(rpc(p, "chain_getHeader")["number"], 16) for p in ports)
    cluster.wait(lambda: all(cluster.finalized(p) >= head + 2 for p in ports), "finality")
    _same_chain(cluster, ports)
    log = (cluster.directory / "logs" / f"node{ports.index(old) + 1}.log").read_text()
    assert "leadership lost" in log.rsplit("leading", 1)[-1]


def test_a_fourth_node_joins_from_a_snapshot_and_light_clients_agree(
    cluster: RunningCluster, tmp_path: Path
) -> None:
    """A non-authority node starts from node2's snapshot, downloaded over HTTP, and follows.

    The first peer it is given is down; what node2 serves is verified before it is used.

    Light clients (the workers' sync) fed by different nodes reach the same verified state.
    """
    from khala.worker.light_client import LightClient
    from khala.worker.sync_request import parse_sync_request

    directory, ports = cluster.directory, cluster.ports()
    port = free_port()
    fourth = start_node(
        tmp_path / "n4", port, "--dev-authorities", "3", "--dev-pki", str(directory / "pki"),
        "--from-snapshot", f"http://127.0.0.1:{free_port()},http://127.0.0.1:{ports[1]}",
        "--engine", "etcd", "--etcd-endpoints", ",".join(cluster.endpoints()),
        "--authority", "//Dave", "--block-time", BLOCK_TIME,
    )  # fmt: skip
    served = urllib.request.urlopen(  # the file node2 exported for it, served again
        urllib.request.Request(f"http://127.0.0.1:{ports[1]}/snapshot", method="HEAD"), timeout=30
    )
    at = int(served.headers["X-Khala-Snapshot-Number"])
    try:
        target = max(cluster.finalized(p) for p in ports) + 2
        cluster.wait(lambda: cluster.finalized(port) >= target, "the fourth node finalizing")
        height = min(cluster.finalized(p) for p in [*ports, port])
        for number in range(at, height + 1):
            assert len({rpc(p, "chain_getBlockHash", number) for p in [*ports, port]}) == 1
    finally:
        fourth.send_signal(signal.SIGTERM)
        fourth.wait(timeout=20)
    heads = []
    for source in (ports[0], ports[2]):
        client = LightClient(cluster.genesis())
        blocks = parse_sync_request({"blocks": rpc(source, "khala_syncBlocks", 0, 1000)})
        client.import_genesis(blocks[0])
        for block in blocks[1 : height + 1]:
            client.import_block(block)
        heads.append((client.height, client.head.hash(), client.trie.root_hash()))
    assert heads[0] == heads[1] and heads[0][0] == height


def test_governance_changes_the_authority_set_of_the_running_cluster(
    cluster: RunningCluster,
) -> None:
    """`khala gov set-authorities` (sudo on the dev chain): later justifications name set 1."""
    from khala.primitives.finality import Justification
    from khala.primitives.scale import codec_of

    ports = cluster.ports()
    url = f"http://127.0.0.1:{ports[1]}"
    done = cli("gov", "set-authorities", "//Charlie", "//Alice", "//Bob", "--in", "1",
               "--url", url, "--json")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    codec = codec_of(Justification)

    def set_id_of_head() -> int:
        final = cluster.finalized(ports[0])
        raw = rpc(ports[0], "khala_syncBlocks", final, 1)[0]["justification"]
        return int(codec.decode(bytes.fromhex(raw[2:])).set_id)

    cluster.wait(lambda: set_id_of_head() == 1, "a block finalized by set 1")
    head = max(int(rpc(p, "chain_getHeader")["number"], 16) for p in ports)
    cluster.wait(lambda: all(cluster.finalized(p) >= head + 1 for p in ports), "finality")
    _same_chain(cluster, ports)


def test_workers_and_relayers_on_different_nodes_stay_in_sync(
    cluster: RunningCluster, tmp_path: Path
) -> None:
    """Workers and their relayers on different nodes register and follow one chain.

    Worker A syncs from genesis through a relayer on node1; worker B starts from node3's
    snapshot (taken after the set change above, so it carries it) through a relayer on node3.
    Both register (each relayer submits to its own node) and both follow one chain: every
    height a worker reports has the hash and state root node2 serves for it.
    """
    ports = cluster.ports()
    pki = str(cluster.directory / "pki")
    bob = "0x" + keypair_from_uri("//Bob").public_key.hex()
    processes: list[subprocess.Popen[bytes]] = []
    public: dict[str, int] = {}
    for name, node_port, payer, extra in (
        ("a", ports[0], "//Dave", []),
        ("b", ports[2], "//Eve", ["--from-snapshot", "node"]),
    ):
        url = f"http://127.0.0.1:{node_port}"
        public[name], control = free_port(), free_port()
        log = (tmp_path / f"worker-{name}.log").open("ab")
        processes.append(subprocess.Popen(
            [KHALA, "worker", "--node", url, "--base-path", str(tmp_path / name),
             "--dev-pki", pki, "--port", str(public[name]), "--control-port", str(control),
             "--operator", bob, "--benchmark-duty", "0.05", *extra],
            stdout=log, stderr=log,
        ))  # fmt: skip
        processes.append(subprocess.Popen(
            [KHALA, "relayer", "--node", url, "--worker", f"http://127.0.0.1:{control}",
             "--operator", payer, "--state", str(tmp_path / f"relayer-{name}.json")],
            stdout=(tmp_path / f"relayer-{name}.log").open("ab"), stderr=subprocess.STDOUT,
        ))  # fmt: skip
    try:

        def info(name: str) -> dict[str, Any]:
            with urllib.request.urlopen(f"http://127.0.0.1:{public[name]}/info", timeout=5) as r:
                answer: dict[str, Any] = json.loads(r.read())
                return answer

        def registered() -> set[str]:
            listed = cli("worker", "list", "--url", f"http://127.0.0.1:{ports[1]}", "--json")
            return {worker["pubkey"] for worker in json.loads(listed.stdout)["workers"]}

        cluster.wait(lambda: {info("a")["pubkey"], info("b")["pubkey"]} <= registered(),
                     "both workers registered", timeout=90)  # fmt: skip
        target = cluster.finalized(ports[1]) + 2
        for name in ("a", "b"):
            cluster.wait(lambda n=name: info(n)["synced_height"] >= target, f"worker {name} sync")
            status = info(name)
            height = status["synced_height"]
            assert rpc(ports[1], "chain_getBlockHash", height) == status["head_hash"]
            header = rpc(ports[1], "chain_getHeader", status["head_hash"])
            assert header["stateRoot"] == status["state_root"]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=20)
    log_b = (tmp_path / "worker-b.log").read_text()
    assert "started from a snapshot" in log_b
    from khala.primitives.finality import Justification
    from khala.primitives.scale import codec_of
    from khala.snapshot.format import SnapshotReader

    served = tmp_path / "served.snapshot"  # the file node3 exported for worker B, again
    with urllib.request.urlopen(f"http://127.0.0.1:{ports[2]}/snapshot", timeout=30) as answer:
        served.write_bytes(answer.read())
    reader = SnapshotReader(served)
    reader.close()
    signed_by = codec_of(Justification).decode(reader.head.justification).set_id
    assert len(reader.head.set_changes) == signed_by  # one proven change per set since genesis
