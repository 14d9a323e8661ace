"""The JSON-RPC server: Substrate's shapes, author error codes, subscriptions, and fuzzing."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from khala.node.rpc.errors import ErrorCode
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import codec_of
from khala.primitives.trie import verify_proof
from khala.runtime.modules.payment.fees import compute_fee
from khala.runtime.modules.system.state import ACCOUNT, AccountInfo
from khala.runtime.types import Pays
from khala.runtime.version import SPEC_VERSION
from khala.sdk import core
from tests.node.rpc_harness import RpcHarness, run, running
from tests.runtime.harness import PHA, sr

ALICE, BOB = sr("Alice"), sr("Bob")


def _transfer(harness: RpcHarness, nonce: int, amount: int = PHA, tip: int = 0) -> bytes:
    return core.sign(
        ALICE,
        core.transfer_call(BOB.public_key, amount, keep_alive=False),
        nonce=nonce,
        tip=tip,
        genesis_hash=harness.node.chain.genesis_hash,
        spec_version=SPEC_VERSION,
        transaction_version=1,
    )


def test_chain_and_system_methods_have_substrate_shapes() -> None:
    """Headers, blocks, properties and versions come back in Substrate's JSON shapes."""

    async def scenario() -> None:
        async with running() as harness:
            harness.author()
            header = (await harness.call("chain_getHeader"))["result"]
            assert header["number"] == "0x1" and len(header["digest"]["logs"]) == 2
            block = (await harness.call("chain_getBlock"))["result"]
            assert block["justifications"][0][0] == "0x46524e4b"  # "FRNK"
            genesis = (await harness.call("chain_getBlockHash", 0))["result"]
            assert genesis == "0x" + harness.node.chain.genesis_hash.hex()
            assert (await harness.call("chain_getBlockHash", 99))["result"] is None
            props = (await harness.call("system_properties"))["result"]
            assert props == {"ss58Format": 30, "tokenDecimals": 12, "tokenSymbol": "PHA"}
            version = (await harness.call("state_getRuntimeVersion"))["result"]
            assert version["specName"] == "khala" and version["transactionVersion"] == 1
            methods = (await harness.call("rpc_methods"))["result"]["methods"]
            assert "author_submitAndWatchExtrinsic" in methods and "state_getReadProof" in methods
            finalized = (await harness.call("chain_getFinalizedHead"))["result"]
            assert finalized == (await harness.call("chain_getBlockHash"))["result"]

    run(scenario())


def test_storage_proofs_and_keys() -> None:
    """Storage reads decode, read proofs verify against the header root, keys page."""

    async def scenario() -> None:
        async with running() as harness:
            key = ACCOUNT.key_of(ALICE.public_key)
            value = (await harness.call("state_getStorage", "0x" + key.hex()))["result"]
            info = codec_of(AccountInfo).decode(bytes.fromhex(value[2:]))
            assert info.data.free == 10**18
            proof = (await harness.call("state_getReadProof", ["0x" + key.hex()]))["result"]
            nodes = [bytes.fromhex(item[2:]) for item in proof["proof"]]
            root = harness.node.chain.head.state_root
            assert verify_proof(root, nodes, [key])[key] == bytes.fromhex(value[2:])
            keys = (await harness.call("state_getKeysPaged", "0x" + ACCOUNT.prefix.hex(), 3))[
                "result"
            ]
            assert len(keys) == 3 and keys == sorted(keys)
            more = (
                await harness.call("state_getKeysPaged", "0x" + ACCOUNT.prefix.hex(), 3, keys[-1])
            )["result"]
            assert more[0] > keys[-1]
            queried = (await harness.call("state_queryStorageAt", ["0x" + key.hex()]))["result"]
            assert queried[0]["changes"][0][1] == value

    run(scenario())


def test_submit_fee_info_and_author_error_codes() -> None:
    """Submitting pools a transaction; bad ones get 1010/1013/1014 with a reason."""

    async def scenario() -> None:
        async with running() as harness:
            raw = _transfer(harness, 0)
            info = (await harness.call("payment_queryInfo", "0x" + raw.hex()))["result"]
            assert int(info["partialFee"]) == compute_fee(len(raw), 200_000_000, Pays.YES)
            submitted = await harness.call("author_submitExtrinsic", "0x" + raw.hex())
            assert submitted["result"] == "0x" + blake2_256(raw).hex()
            duplicate = await harness.call("author_submitExtrinsic", "0x" + raw.hex())
            assert duplicate["error"]["code"] == 1013
            low = await harness.call(
                "author_submitExtrinsic", "0x" + _transfer(harness, 0, amount=2).hex()
            )
            assert low["error"]["code"] == 1014
            broken = bytearray(raw)
            broken[-3] ^= 0xFF
            bad = await harness.call("author_submitExtrinsic", "0x" + bytes(broken).hex())
            assert bad["error"]["code"] == 1010
            assert "invalid_transaction" in bad["error"]["data"]
            assert (await harness.call("system_accountNextIndex", "0x" + ALICE.public_key.hex()))[
                "result"
            ] == 1
            harness.author()
            assert (await harness.call("author_pendingExtrinsics"))["result"] == []

    run(scenario())


def test_websocket_subscriptions() -> None:
    """New heads arrive on subscription; a watched transaction goes ready, inBlock, finalized."""

    async def scenario() -> None:
        async with running() as harness, harness.session.ws_connect(harness.url) as socket:
            await socket.send_json(
                {"jsonrpc": "2.0", "id": 1, "method": "chain_subscribeNewHeads", "params": []}
            )
            subscription = (await socket.receive_json())["result"]
            first = await socket.receive_json()
            assert (
                first["method"] == "chain_newHead"
                and first["params"]["subscription"] == subscription
            )
            raw = _transfer(harness, 0)
            await socket.send_json(
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "author_submitAndWatchExtrinsic",
                    "params": ["0x" + raw.hex()],
                }
            )
            statuses: list[Any] = []
            heads = 0
            reply_seen = False
            harness_authored = False
            while len(statuses) < 3:
                message = await socket.receive_json(timeout=10)
                if message.get("id") == 2:
                    reply_seen = True
                elif message.get("method") == "author_extrinsicUpdate":
                    statuses.append(message["params"]["result"])
                    if statuses == ["ready"] and not harness_authored:
                        harness.author()
                        harness_authored = True
                elif message.get("method") == "chain_newHead":
                    heads += 1
            assert reply_seen
            assert statuses[0] == "ready"
            assert "inBlock" in statuses[1] and "finalized" in statuses[2]
            await socket.send_json(
                {
                    "jsonrpc": "2.0",
                    "id": 3,
                    "method": "chain_unsubscribeNewHeads",
                    "params": [subscription],
                }
            )
            while True:
                message = await socket.receive_json(timeout=10)
                if message.get("id") == 3:
                    assert message["result"] is True
                    break

    run(scenario())


def test_malformed_requests_get_jsonrpc_errors_and_the_server_keeps_serving() -> None:
    """Non-JSON, bad shapes, unknown methods, wrong params and huge bodies are all answered."""

    async def scenario() -> None:
        async with running(max_request_bytes=64 * 1024) as harness:
            status, answer = await harness.post(None, raw=b"{nope")
            assert answer["error"]["code"] == ErrorCode.PARSE_ERROR
            _, answer = await harness.post([1, 2])
            assert [item["error"]["code"] for item in answer] == [ErrorCode.INVALID_REQUEST] * 2
            _, answer = await harness.post({"jsonrpc": "1.0", "id": 1, "method": "x"})
            assert answer["error"]["code"] == ErrorCode.INVALID_REQUEST
            answer = await harness.call("no_such_method")
            assert answer["error"]["code"] == ErrorCode.METHOD_NOT_FOUND
            for method, params in [
                ("chain_getBlockHash", ["zz"]),
                ("chain_getHeader", ["0x1234"]),
                ("state_getStorage", [42]),
                ("state_getKeysPaged", ["0x", 0]),
                ("system_accountNextIndex", ["not-an-address"]),
                ("author_submitExtrinsic", ["0xzz"]),
                ("chain_getHeader", [None, None, None]),
            ]:
                answer = await harness.call(method, *params)
                assert answer["error"]["code"] == ErrorCode.INVALID_PARAMS, (method, answer)
            status, answer = await harness.post(
                None,
                raw=json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "id": 1,
                        "method": "author_submitExtrinsic",
                        "params": ["0x" + "00" * 70_000],
                    }
                ).encode(),
            )
            assert status == 413 and answer["error"]["code"] == ErrorCode.INVALID_REQUEST
            status, answer = await harness.post({"jsonrpc": "2.0", "method": "system_name"})
            assert status == 204
            answer = await harness.call("chain_subscribeNewHeads")
            assert answer["error"]["code"] == ErrorCode.METHOD_NOT_FOUND
            assert (await harness.call("system_name"))["result"] == "khala"

    run(scenario())


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.just("0x" + "ab" * 32),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


FUZZED_METHODS = [
    "chain_getHeader",
    "chain_getBlock",
    "chain_getBlockHash",
    "state_getStorage",
    "state_getKeysPaged",
    "state_getReadProof",
    "state_queryStorageAt",
    "author_submitExtrinsic",
    "payment_queryInfo",
    "system_accountNextIndex",
]


@settings(max_examples=40)
@given(st.sampled_from(FUZZED_METHODS), _json_values)
def test_fuzzed_params_never_cause_internal_errors(method: str, params: Any) -> None:
    """Fuzz: any JSON params give a result or a client error, never an internal error."""

    async def scenario() -> None:
        async with running() as harness:
            status, answer = await harness.post(
                {"jsonrpc": "2.0", "id": 7, "method": method, "params": params}
            )
            assert status == 200
            assert "result" in answer or answer["error"]["code"] != ErrorCode.INTERNAL_ERROR
            assert (await harness.call("system_name"))["result"] == "khala"

    run(scenario())


def test_state_older_than_the_pruning_window_is_a_typed_error() -> None:
    """``state_getStorage`` at a pruned block answers 4004 with ``chain.state_pruned``."""

    async def scenario() -> None:
        async with running(state_pruning=4) as harness:
            for _ in range(8):
                harness.author()
            old = await harness.call("chain_getBlockHash", 2)
            recent = await harness.call("chain_getBlockHash", 6)
            key = "0x" + ACCOUNT.key_of(sr("Alice").public_key).hex()
            pruned = await harness.call("state_getStorage", key, old["result"])
            assert pruned["error"]["code"] == ErrorCode.STATE_PRUNED == 4004
            assert pruned["error"]["data"] == "chain.state_pruned"
            assert "#5" in pruned["error"]["message"]
            kept = await harness.call("state_getStorage", key, recent["result"])
            assert kept["result"] is not None
            header = await harness.call("chain_getHeader", old["result"])
            assert header["result"]["number"] == "0x2"  # the block itself is kept

    run(scenario())
