"""khala_relayExtrinsics: pooled without relaying again; what a full pool refused is named."""

from __future__ import annotations

from tests.node.rpc_harness import run, running
from tests.node.test_rpc import _transfer


def test_relayed_transactions_are_pooled_and_full_pool_refusals_come_back() -> None:
    """Of four transactions offered to a pool of two, two are taken and two are to retry.

    A duplicate is a final refusal (not retried), and nothing is relayed onwards.
    """

    async def scenario() -> None:
        async with running(pool_limit=2) as harness:
            relayed: list[bytes] = []
            harness.node.relay = relayed.append
            raws = ["0x" + _transfer(harness, nonce).hex() for nonce in range(4)]
            answer = await harness.call("khala_relayExtrinsics", raws)
            assert answer["result"] == {"accepted": 2, "retry": [2, 3]}
            again = await harness.call("khala_relayExtrinsics", raws[:1])
            assert again["result"] == {"accepted": 0, "retry": []}
            assert len(harness.node.pool) == 2
            assert relayed == []
            too_many = await harness.call("khala_relayExtrinsics", ["0x00"] * 513)
            assert too_many["error"]["code"] == -32602

    run(scenario())
