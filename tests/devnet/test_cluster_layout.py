"""Local clusters and multi-node devnets: ports, genesis and process command lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khala.devnet.cluster import ClusterOptions, prepare
from khala.devnet.cluster import process_specs as cluster_specs
from khala.devnet.layout import DevnetError, DevnetErrorCode, Layout
from khala.devnet.service import process_specs


def test_a_cluster_gets_distinct_ports_key_files_and_etcd_members(tmp_path: Path) -> None:
    """Three nodes: three etcd members with their own ports, one key file each, one dev PKI."""
    options = ClusterOptions(tmp_path / "c", 3, 1.0, fresh=False, json_status=False)
    options.directory.mkdir()
    state = prepare(options)
    ports = state.rpc_ports + [port for pair in state.etcd_ports for port in pair]
    assert len(set(ports)) == 9
    assert [(tmp_path / "c" / f"n{i}" / "authority.key").read_text() for i in (1, 2, 3)] == [
        "//Alice\n", "//Bob\n", "//Charlie\n",
    ]  # fmt: skip
    specs = cluster_specs(options.directory, state, "/usr/bin/etcd")
    assert [spec.name for spec in specs] == ["etcd1", "etcd2", "etcd3", "node1", "node2", "node3"]
    assert all(spec.program == "/usr/bin/etcd" for spec in specs[:3])
    node = specs[3].args
    assert node[node.index("--engine") + 1] == "etcd"
    assert node[node.index("--etcd-endpoints") + 1] == ",".join(state.endpoints)
    assert node[node.index("--dev-pki") + 1] == str(options.directory / "pki")
    assert prepare(options).etcd_ports == state.etcd_ports  # a second run keeps etcd's ports


def test_a_devnet_of_three_nodes_names_three_authorities_and_keeps_that_number(
    tmp_path: Path,
) -> None:
    """The genesis lists //Alice, //Bob, //Charlie and the workers spread over the nodes.

    A resumed devnet with another --nodes is refused with a typed error.
    """
    layout = Layout(tmp_path / "dn")
    state = layout.prepare(2, 0.5, nodes=3)
    genesis = json.loads(layout.genesis_file.read_text())
    assert len(genesis["authorities"]) == 3
    specs = process_specs(layout, state, console=False, etcd_binary="/usr/bin/etcd")
    names = [spec.name for spec in specs]
    assert names[:6] == ["etcd1", "etcd2", "etcd3", "node", "node2", "node3"]
    nodes_of_workers = {
        spec.args[spec.args.index("--node") + 1] for spec in specs if spec.args[0] == "worker"
    }
    assert nodes_of_workers == set(state.node_urls)
    with pytest.raises(DevnetError) as refused:
        layout.prepare(2, 0.5, nodes=1)
    assert refused.value.code == DevnetErrorCode.NODES_CHANGED
