"""A newcomer fetches its cluster's state from a member over HTTP and installs it."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web

from khala.runtime.modules.phat.calls import AddCluster, AddWorkerToCluster, PushContractMessage
from khala.runtime.modules.phat.types import Public
from khala.runtime.modules.registry.state import ENDPOINTS
from khala.runtime.modules.registry.types import WorkerEndpoint
from khala.runtime.state import State
from khala.worker.cluster_api import ClusterApi
from tests.runtime.harness import PHA
from tests.worker.test_contracts_flow import (  # noqa: F401 - the net fixture
    A,
    C,
    ContractNet,
    _command,
    _deploy,
    net,
)
from tests.worker.test_gatekeeper_host import OWNER


def test_the_transfer_runs_over_http(net: ContractNet, shared: Path) -> None:  # noqa: F811
    member, late = net.contracts("a", A), net.contracts("c", C)
    net.root(AddCluster(OWNER.public_key, Public(), [A.identity.public_key], 100 * PHA, 1, 0, 0))
    net.blocks(4)
    cluster, contract, metadata = _deploy(net, shared, "v4_flipper", [False])
    flip = metadata.encode_call(metadata.message("flip"), [])
    net.extrinsic(PushContractMessage(contract, _command(net, contract, flip), 0))
    net.root(AddWorkerToCluster(C.identity.public_key, cluster))
    net.blocks(4)
    assert late.status()["needs_state_transfer"] is True

    async def scenario() -> dict[str, Any]:
        chain = net.harness.state()
        runtime_a = SimpleNamespace(
            contracts=member, client=SimpleNamespace(state=lambda: chain, head=1)
        )
        app = web.Application()
        served = ClusterApi(lambda: runtime_a, A)  # type: ignore[arg-type, return-value]
        app.router.add_post("/cluster/state", served.state)
        app.router.add_get("/cluster/root", served.root)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            seen = State(net.harness.trie)
            ENDPOINTS.insert(seen, A.identity.public_key, WorkerEndpoint(url, 0))
            runtime_c = SimpleNamespace(
                contracts=late, client=SimpleNamespace(state=lambda: seen, head=1)
            )
            fetching = ClusterApi(lambda: runtime_c, C, entropy=os.urandom)  # type: ignore[arg-type, return-value]
            async with aiohttp.ClientSession() as session:
                await fetching._try_transfer(session)
                async with session.get(url + "/cluster/root?height=999999") as answer:
                    missing = await answer.json()
                async with session.post(url + "/cluster/state", json={"request": "0x00"}) as answer:
                    garbage = await answer.json()
            return {"missing": missing, "garbage": garbage}
        finally:
            await runner.cleanup()

    refusals = asyncio.run(scenario())
    assert refusals["missing"]["error"]["code"] == "transfer.not_ready"
    assert refusals["garbage"]["error"]["code"] == "transfer.unreadable"
    assert late.status()["needs_state_transfer"] is False
    assert late.runtime is not None and member.runtime is not None
    assert late.runtime.root() == member.runtime.root()
