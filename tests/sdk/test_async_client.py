"""The async client signs, submits, waits and decodes receipts against a real in-process node."""

from __future__ import annotations

import asyncio

import pytest

from khala.node.engine import DevEngine
from khala.runtime.extrinsic import decode_extrinsic
from khala.sdk import AsyncClient, SdkError, SdkErrorCode, core
from khala.sdk.transport import AsyncHttpTransport
from tests.node.rpc_harness import run, running
from tests.runtime.harness import PHA, sr

ALICE, BOB, CHARLIE = sr("Alice"), sr("Bob"), sr("Charlie")


def test_transfer_and_failed_transfer_receipts() -> None:
    """A transfer succeeds with a fee; one that cannot be afforded fails with its error code."""

    async def scenario() -> None:
        async with running() as harness:
            engine = asyncio.create_task(
                DevEngine(harness.node, block_time_s=1, instant_seal=True).run()
            )
            try:
                async with AsyncClient(harness.url) as client:
                    receipt = await client.transfer(
                        ALICE, BOB.public_key, 3 * PHA, wait="finalized"
                    )
                    assert receipt.success is True and receipt.fee and receipt.block_number == 1
                    assert (await client.account(BOB.public_key)).data.free == 10**18 + 3 * PHA
                    failed = await client.transfer(CHARLIE, BOB.public_key, 10**19)
                    assert failed.success is False
                    assert failed.error == "balances.insufficient_balance"
                    assert (await client.next_nonce(CHARLIE.public_key)) == 1
                    block = await client.block(1)
                    assert block.justification is not None and len(block.extrinsics) == 2
            finally:
                engine.cancel()

    run(scenario())


def test_refusals_and_unreachable_node_are_typed() -> None:
    """A refused transaction is sdk.rpc_error with the RPC code; no node is connection_failed."""

    async def scenario() -> None:
        async with running() as harness, AsyncClient(harness.url) as client:
            call = core.transfer_call(BOB.public_key, PHA, keep_alive=False)
            raw = await client.sign(ALICE, call, nonce=5000)
            with pytest.raises(SdkError) as caught:
                await client.submit(raw, wait="none")
            assert caught.value.code is SdkErrorCode.RPC_ERROR and caught.value.rpc_code == 1012
        transport = AsyncHttpTransport("http://127.0.0.1:9", timeout_s=2)
        with pytest.raises(SdkError) as unreachable:
            await transport.request("system_name", [])
        assert unreachable.value.code is SdkErrorCode.CONNECTION_FAILED
        await transport.close()

    run(scenario())


def test_transactions_are_mortal_so_a_reaped_account_cannot_be_replayed() -> None:
    """The SDK signs for 64 blocks from the head: once the era ends, an old copy is refused.

    Found by an attacker: immortal transfers from an account that was reaped and refunded
    (its nonce restarted at 0) could be resubmitted and moved the funds again.
    """

    async def scenario() -> None:
        async with running() as harness, AsyncClient(harness.url) as client:
            harness.author()
            raw = await client.sign(
                CHARLIE, core.transfer_call(BOB.public_key, PHA, keep_alive=True)
            )
            era = decode_extrinsic(raw).signature.extra.era  # type: ignore[union-attr]
            head = harness.node.chain.head.number
            assert (era.period, era.birth(head + 1)) == (core.MORTAL_PERIOD, head)
            immortal = await client.sign(
                CHARLIE, core.transfer_call(BOB.public_key, PHA, keep_alive=True), immortal=True
            )
            assert decode_extrinsic(immortal).signature.extra.era.is_immortal  # type: ignore[union-attr]
            for _ in range(core.MORTAL_PERIOD):
                harness.author()
            with pytest.raises(SdkError) as caught:
                await client.submit(raw, wait="none")
            assert "invalid_transaction.bad_proof" in caught.value.message

    run(scenario())
