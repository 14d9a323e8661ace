"""A runtime upgrade seen over RPC, and a node that lacks the release.

Versions and metadata are served per block, subscribers are told of the switch, and a node
without the release stops before the switch block.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from khala.primitives.crypto import keypair_from_uri
from khala.primitives.scale import decode
from khala.runtime.extrinsic import Era, SignedExtra, sign_extrinsic
from khala.runtime.genesis import dev_genesis
from khala.runtime.metadata_types import RuntimeMetadataPrefixed
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.system.calls import AuthorizeUpgrade
from khala.runtime.releases import RELEASES, UnknownRuntimeError
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from tests.node.rpc_harness import RpcHarness, run, running

LAUNCH = 7
ALICE = keypair_from_uri("//Alice")


def _sudo(harness: RpcHarness, call: Any, nonce: int, spec_version: int) -> bytes:
    genesis = harness.node.chain.genesis_hash
    return sign_extrinsic(
        ALICE,
        Sudo(call),
        SignedExtra(Era(), nonce, 0),
        spec_version=spec_version,
        transaction_version=TRANSACTION_VERSION,
        genesis_hash=genesis,
        era_block_hash=genesis,
    )


def _pallets(raw_hex: str) -> set[str]:
    metadata = decode(RuntimeMetadataPrefixed, bytes.fromhex(raw_hex[2:])).metadata
    return {pallet.name for pallet in metadata.metadata.pallets}  # type: ignore[attr-defined]


def test_subscribers_see_the_upgrade_and_old_blocks_keep_their_version() -> None:
    async def scenario() -> None:
        genesis = replace(dev_genesis(), spec_version=LAUNCH)
        async with (
            running(genesis=genesis) as harness,
            harness.session.ws_connect(harness.url) as socket,
        ):
            await socket.send_json(
                {"jsonrpc": "2.0", "id": 1, "method": "state_subscribeRuntimeVersion", "params": []}
            )
            assert "result" in await socket.receive_json(timeout=10)
            first = await socket.receive_json(timeout=10)
            assert first["params"]["result"]["specVersion"] == LAUNCH
            launch_hash = "0x" + harness.node.chain.head_hash.hex()
            assert "Computation" not in _pallets(
                (await harness.call("state_getMetadata", launch_hash))["result"]
            )
            code_hash = RELEASES[SPEC_VERSION].code_hash(harness.node.chain.preset)
            harness.node.submit(
                _sudo(harness, AuthorizeUpgrade(SPEC_VERSION, code_hash), 0, LAUNCH)
            )
            harness.author()  # authorizes
            harness.author()  # switches
            changed = await socket.receive_json(timeout=10)
            assert changed["params"]["result"]["specVersion"] == SPEC_VERSION
            head = (await harness.call("state_getRuntimeVersion"))["result"]
            old = (await harness.call("state_getRuntimeVersion", launch_hash))["result"]
            assert (head["specVersion"], old["specVersion"]) == (SPEC_VERSION, LAUNCH)
            assert "Computation" in _pallets((await harness.call("state_getMetadata"))["result"])
            # a transaction signed for the old version is refused now
            stale = _sudo(harness, AuthorizeUpgrade(SPEC_VERSION + 1, bytes(32)), 1, LAUNCH)
            refused = await harness.call("author_submitExtrinsic", "0x" + stale.hex())
            assert refused["error"]["code"] == 1010

    run(scenario())


def test_a_node_without_the_release_stops_before_the_switch() -> None:
    async def scenario() -> None:
        genesis = replace(dev_genesis(), spec_version=LAUNCH)
        async with running(genesis=genesis) as harness:
            harness.node.submit(_sudo(harness, AuthorizeUpgrade(99, bytes(32)), 0, LAUNCH))
            harness.author()
            head = harness.node.chain.head_hash
            with pytest.raises(UnknownRuntimeError) as raised:
                harness.author()
            assert "install a khala release with spec_version 99" in raised.value.message
            assert harness.node.chain.head_hash == head

    run(scenario())
