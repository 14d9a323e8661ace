"""RPC methods over the runtime: metadata, ``state_call`` runtime APIs, storage queries, stubs."""

from __future__ import annotations

from typing import Any

from khala.node.rpc.errors import ErrorCode
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import U32, Err, Ok, codec_of, decode
from khala.primitives.ss58 import base58_decode
from khala.runtime import apis
from khala.runtime.metadata_types import V14, V15, RuntimeMetadataPrefixed
from khala.runtime.modules.system.state import ACCOUNT
from khala.runtime.releases import RELEASES
from khala.runtime.version import SPEC_VERSION
from khala.sdk import core
from tests.node.rpc_harness import RpcHarness, run, running
from tests.runtime.harness import PHA, sr

ALICE, BOB = sr("Alice"), sr("Bob")


def _transfer(harness: RpcHarness, nonce: int) -> bytes:
    return core.sign(
        ALICE,
        core.transfer_call(BOB.public_key, PHA, keep_alive=True),
        nonce=nonce,
        tip=0,
        genesis_hash=harness.node.chain.genesis_hash,
        spec_version=SPEC_VERSION,
        transaction_version=1,
    )


async def _state_call(harness: RpcHarness, name: str, data: bytes = b"") -> bytes:
    answer = await harness.call("state_call", name, "0x" + data.hex())
    assert "result" in answer, answer
    return bytes.fromhex(answer["result"][2:])


def test_metadata_is_served_in_both_versions() -> None:
    """state_getMetadata is V14; Metadata_metadata_at_version gives V15; 16 gives None."""

    async def scenario() -> None:
        async with running() as harness:
            v14 = bytes.fromhex((await harness.call("state_getMetadata"))["result"][2:])
            assert v14[:5] == b"meta\x0e"
            assert isinstance(decode(RuntimeMetadataPrefixed, v14).metadata, V14)
            assert await _state_call(harness, "Metadata_metadata") == codec_of(bytes).encode(v14)
            versions = await _state_call(harness, "Metadata_metadata_versions")
            assert codec_of(list[U32]).decode(versions) == [14, 15]
            answer = await _state_call(
                harness, "Metadata_metadata_at_version", (15).to_bytes(4, "little")
            )
            v15 = codec_of(bytes | None).decode(answer)
            assert v15 is not None and isinstance(
                decode(RuntimeMetadataPrefixed, v15).metadata, V15
            )
            none = await _state_call(
                harness, "Metadata_metadata_at_version", (16).to_bytes(4, "little")
            )
            assert none == b"\x00"

    run(scenario())


def test_runtime_apis_answer_like_substrate() -> None:
    """Core_version, account nonces, fee queries and pool validation through state_call."""

    async def scenario() -> None:
        async with running() as harness:
            version = decode(apis.RuntimeVersion, await _state_call(harness, "Core_version"))
            assert version == RELEASES[SPEC_VERSION].version_record()
            assert (bytes.fromhex("df6acb689907609b"), 4) in version.apis  # Substrate's Core id
            listed = (await harness.call("state_getRuntimeVersion"))["result"]["apis"]
            assert ["0xdf6acb689907609b", 4] in listed and len(listed) == len(apis.RUNTIME_APIS)

            raw = _transfer(harness, 0)
            nonce = await _state_call(harness, "AccountNonceApi_account_nonce", ALICE.public_key)
            assert int.from_bytes(nonce, "little") == 0
            length = len(raw).to_bytes(4, "little")
            info = decode(
                apis.RuntimeDispatchInfo,
                await _state_call(harness, "TransactionPaymentApi_query_info", raw + length),
            )
            legacy = (await harness.call("payment_queryInfo", "0x" + raw.hex()))["result"]
            assert info.partial_fee == int(legacy["partialFee"])
            assert info.weight.ref_time == legacy["weight"]["refTime"]
            details = decode(
                apis.FeeDetails,
                await _state_call(harness, "TransactionPaymentApi_query_fee_details", raw + length),
            )
            parts = details.inclusion_fee
            assert parts is not None
            assert parts.base_fee + parts.len_fee + parts.adjusted_weight_fee == info.partial_fee

            head = harness.node.chain.head_hash
            validity = codec_of(apis.TransactionValidity)
            data = bytes([apis.TransactionSource.EXTERNAL]) + raw + head
            valid = validity.decode(
                await _state_call(harness, "TaggedTransactionQueue_validate_transaction", data)
            )
            assert isinstance(valid, Ok) and valid.value.provides == [ALICE.public_key + bytes(4)]
            harness.node.submit(raw)
            harness.author()
            stale = validity.decode(
                await _state_call(
                    harness,
                    "TaggedTransactionQueue_validate_transaction",
                    bytes([2]) + raw + harness.node.chain.head_hash,
                )
            )
            assert stale == Err(apis.Invalid(apis.Stale()))
            after = await _state_call(harness, "AccountNonceApi_account_nonce", ALICE.public_key)
            assert int.from_bytes(after, "little") == 1

    run(scenario())


def test_state_call_refusals_are_typed() -> None:
    """Unknown runtime APIs answer method-not-found; bad input answers invalid params."""

    async def scenario() -> None:
        async with running() as harness:
            unknown = await harness.call("state_call", "BabeApi_configuration", "0x")
            assert unknown["error"]["code"] == ErrorCode.METHOD_NOT_FOUND
            assert "Core_version" in unknown["error"]["message"]
            short = await harness.call("state_call", "AccountNonceApi_account_nonce", "0x0102")
            assert short["error"]["code"] == ErrorCode.INVALID_PARAMS
            extra = await harness.call("state_call", "Core_version", "0x00")
            assert extra["error"]["code"] == ErrorCode.INVALID_PARAMS
            missing = await harness.call("system_unknownThing")
            assert missing["error"]["code"] == ErrorCode.METHOD_NOT_FOUND

    run(scenario())


def test_storage_queries_and_node_stubs() -> None:
    """Keys, pairs, value hashes and sizes; head, peers, roles and sync state."""

    async def scenario() -> None:
        async with running() as harness:
            prefix = "0x" + ACCOUNT.prefix.hex()
            keys = (await harness.call("state_getKeys", prefix))["result"]
            pairs = (await harness.call("state_getPairs", prefix))["result"]
            assert [key for key, _ in pairs] == keys and len(keys) >= 6
            key = ACCOUNT.key_of(ALICE.public_key)
            value = harness.node.chain.trie.get(key)
            assert value is not None
            digest = (await harness.call("state_getStorageHash", "0x" + key.hex()))["result"]
            assert digest == "0x" + blake2_256(value).hex()
            size = (await harness.call("state_getStorageSize", "0x" + key.hex()))["result"]
            assert size == len(value)
            absent = "0x" + ACCOUNT.key_of(bytes(32)).hex()
            assert (await harness.call("state_getStorageSize", absent))["result"] is None
            harness.author()
            head = (await harness.call("chain_getHead"))["result"]
            assert head == "0x" + harness.node.chain.head_hash.hex()
            assert (await harness.call("system_peers"))["result"] == []
            peer = (await harness.call("system_localPeerId"))["result"]
            assert peer.startswith("12D3KooW")
            assert base58_decode(peer)[6:] == harness.node.authority.public_key
            assert (await harness.call("system_nodeRoles"))["result"] == ["Authority"]
            sync = (await harness.call("system_syncState"))["result"]
            assert sync["currentBlock"] == sync["highestBlock"] == 1

    run(scenario())


def test_runtime_version_and_storage_subscriptions() -> None:
    """The version arrives once; a watched key is sent now and again when a block changes it."""

    async def scenario() -> None:
        async with running() as harness, harness.session.ws_connect(harness.url) as socket:
            await socket.send_json(
                {"jsonrpc": "2.0", "id": 1, "method": "state_subscribeRuntimeVersion", "params": []}
            )
            assert "result" in await socket.receive_json(timeout=10)
            version: dict[str, Any] = await socket.receive_json(timeout=10)
            assert version["method"] == "state_runtimeVersion"
            assert version["params"]["result"]["specVersion"] == SPEC_VERSION
            key = "0x" + ACCOUNT.key_of(BOB.public_key).hex()
            await socket.send_json(
                {"jsonrpc": "2.0", "id": 2, "method": "state_subscribeStorage", "params": [[key]]}
            )
            assert "result" in await socket.receive_json(timeout=10)
            first = await socket.receive_json(timeout=10)
            assert first["method"] == "state_storage"
            assert first["params"]["result"]["changes"][0][0] == key
            harness.node.submit(_transfer(harness, 0))
            harness.author()
            changed = await socket.receive_json(timeout=10)
            assert changed["params"]["result"]["block"] == "0x" + harness.node.chain.head_hash.hex()
            assert (
                changed["params"]["result"]["changes"][0][1]
                != first["params"]["result"]["changes"][0][1]
            )

    run(scenario())
