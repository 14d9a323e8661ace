"""How a local etcd member is started, with the limits the block log needs.

``khala cluster up`` and the cluster benchmark both use this command line.
"""

from __future__ import annotations

from pathlib import Path

ETCD_MAX_REQUEST_BYTES = 8 * 1024 * 1024
"""etcd's request limit: above the largest block (5 MiB) with its header, below etcd's own
10 MiB warning. etcd's default (1.5 MiB) would refuse a full block."""
ETCD_QUOTA_BYTES = 1024 * 1024 * 1024
"""etcd's database quota (1 GiB, half its default): the log keeps a window of blocks and is
compacted, so it stays far below this."""


def initial_cluster(peer_ports: list[int]) -> str:
    """Etcd's ``--initial-cluster`` for members ``e1``.. on loopback peer ports."""
    return ",".join(
        f"e{index + 1}=http://127.0.0.1:{peer}" for index, peer in enumerate(peer_ports)
    )


def member_args(
    index: int, data_dir: Path, client_port: int, peer_port: int, members: str, token: str
) -> tuple[str, ...]:
    """The arguments of member ``e<index + 1>`` of a loopback cluster."""
    name = f"e{index + 1}"
    return (
        "--name", name, "--data-dir", str(data_dir / name),
        "--listen-client-urls", f"http://127.0.0.1:{client_port}",
        "--advertise-client-urls", f"http://127.0.0.1:{client_port}",
        "--listen-peer-urls", f"http://127.0.0.1:{peer_port}",
        "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer_port}",
        "--initial-cluster", members, "--initial-cluster-state", "new",
        "--initial-cluster-token", token,
        "--max-request-bytes", str(ETCD_MAX_REQUEST_BYTES),
        "--quota-backend-bytes", str(ETCD_QUOTA_BYTES),
        "--log-level", "warn",
    )  # fmt: skip
