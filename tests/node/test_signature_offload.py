"""Signatures verified in a child process: right verdicts, and a lost child costs no answer.

The child runs for real here (``python -m khala.node.signature_worker``); what it says only
spares the pool's own check, so every failure below must end in the pool verifying itself.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
from typing import Any

import pytest

import khala.runtime.signatures as runtime_signatures
from khala.node.node import Node
from khala.node.rpc.server import submitted_extrinsics
from khala.node.signature_offload import SignatureOffload
from khala.node.signature_worker import (
    FrameError,
    Signature,
    decode_request,
    encode_request,
    serve,
)
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.modules.balances.calls import TransferKeepAlive
from khala.runtime.types import AddressId
from khala.sdk import core
from tests.node.rpc_harness import make_node, run, running

SR = keypair_from_uri("//Alice")
ED = keypair_from_uri("//Alice", KeyScheme.ED25519)
MESSAGE = b"pay 10 PHA to Bob"

CASES: list[tuple[Signature, bool]] = [
    ((KeyScheme.SR25519, SR.public_key, MESSAGE, SR.sign(MESSAGE)), True),
    ((KeyScheme.SR25519, SR.public_key, MESSAGE + b"0", SR.sign(MESSAGE)), False),
    ((KeyScheme.SR25519, ED.public_key, MESSAGE, SR.sign(MESSAGE)), False),
    ((KeyScheme.ED25519, ED.public_key, MESSAGE, ED.sign(MESSAGE)), True),
    ((KeyScheme.ED25519, ED.public_key, MESSAGE, bytes(64)), False),
    ((KeyScheme.SR25519, SR.public_key, bytes(300), SR.sign(bytes(300))), True),
]


async def _warm(offload: SignatureOffload) -> None:
    """Ask until a child answers (the first calls start it and verify nothing)."""
    good = [CASES[0][0]]
    for _ in range(200):
        if await offload.verify(good) == [True]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the signature process never answered")


def _child_pid(offload: SignatureOffload) -> int:
    children: list[Any] = offload._children
    assert len(children) == 1
    pid: int = children[0].transport.get_pid()
    return pid


def test_a_child_gives_the_verdicts_verify_gives() -> None:
    async def scenario() -> None:
        offload = SignatureOffload(1)
        try:
            assert await offload.verify([case for case, _ in CASES]) == [False] * len(CASES)
            await _warm(offload)
            verdicts = await offload.verify([case for case, _ in CASES])
            assert verdicts == [expected for _, expected in CASES]
        finally:
            await offload.close()
        assert await offload.verify([CASES[0][0]]) == [False]  # closed: the caller verifies

    run(scenario())


def test_callers_in_one_turn_of_the_loop_share_one_frame() -> None:
    async def scenario() -> None:
        offload = SignatureOffload(1)
        try:
            await _warm(offload)
            frames = offload.frames_sent
            answers = await asyncio.gather(
                *(offload.verify([case]) for case, _ in CASES for _ in range(20))
            )
            expected = [[verdict] for _, verdict in CASES for _ in range(20)]
            assert answers == expected
            assert offload.frames_sent == frames + 1
        finally:
            await offload.close()

    run(scenario())


def test_a_killed_child_answers_unverified_and_is_replaced() -> None:
    async def scenario() -> None:
        offload = SignatureOffload(1, restart_delay_s=0.2)
        try:
            await _warm(offload)
            os.kill(_child_pid(offload), signal.SIGKILL)
            for _ in range(100):
                if offload.failures:
                    break
                await asyncio.sleep(0.02)
            assert offload.failures == 1
            assert await offload.verify([CASES[0][0]]) == [False]  # restarting later
            await asyncio.sleep(0.3)
            await _warm(offload)  # a new child
            assert offload.failures == 1
        finally:
            await offload.close()

    run(scenario())


def test_a_stuck_child_is_killed_and_its_callers_verify_themselves() -> None:
    async def scenario() -> None:
        offload = SignatureOffload(1, timeout_s=0.3, restart_delay_s=60)
        try:
            await _warm(offload)
            pid = _child_pid(offload)
            os.kill(pid, signal.SIGSTOP)
            try:
                async with asyncio.timeout(5):
                    assert await offload.verify([CASES[0][0]]) == [False]
            finally:
                os.kill(pid, signal.SIGCONT)
            assert offload.failures == 1
        finally:
            await offload.close()

    run(scenario())


def test_signatures_that_do_not_fit_a_frame_are_left_to_the_caller() -> None:
    async def scenario() -> None:
        offload = SignatureOffload(1)
        try:
            await _warm(offload)
            odd: Signature = (KeyScheme.SR25519, SR.public_key + b"\x00", MESSAGE, bytes(64))
            assert await offload.verify([CASES[0][0], odd]) == [False, False]
        finally:
            await offload.close()

    run(scenario())


def test_frames_round_trip_and_malformed_ones_are_refused() -> None:
    signatures = [case for case, _ in CASES]
    frame = encode_request(signatures)
    assert decode_request(frame[4:]) == signatures
    sink = io.BytesIO()
    serve(io.BytesIO(frame + frame), sink)
    answer = bytes([1 if expected else 0 for _, expected in CASES])
    framed = len(answer).to_bytes(4, "little") + answer
    assert sink.getvalue() == framed + framed
    body = frame[4:]
    for broken in (body[:-1], body + b"\x00", body[:2], b"\x01\x00\x00\x00\x09" + body[5:]):
        with pytest.raises(FrameError):
            decode_request(broken)
    with pytest.raises(FrameError):
        serve(io.BytesIO(frame[:-3]), io.BytesIO())
    with pytest.raises(FrameError):
        serve(io.BytesIO((1 << 30).to_bytes(4, "little")), io.BytesIO())
    with pytest.raises(FrameError):
        encode_request([(KeyScheme.SR25519, bytes(31), MESSAGE, bytes(64))])


def _transfer(node: Node, nonce: int, *, forged: bool = False) -> bytes:
    chain = node.chain
    raw: bytes = core.sign(
        SR,
        TransferKeepAlive(AddressId(keypair_from_uri("//Bob").public_key), 10**12 + nonce),
        nonce=nonce,
        tip=0,
        genesis_hash=chain.genesis_hash,
        spec_version=chain.release_at().spec_version,
        transaction_version=1,
    )
    if forged:
        raw = raw[:-1] + bytes([raw[-1] ^ 1])  # the amount changes after signing
    return raw


def test_the_pool_does_not_verify_again_what_the_child_verified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    node = make_node()
    inline: list[bytes] = []
    real_verify = runtime_signatures.verify

    def counting_verify(scheme: KeyScheme, key: bytes, payload: bytes, value: bytes) -> bool:
        inline.append(payload)
        return real_verify(scheme, key, payload, value)

    monkeypatch.setattr(runtime_signatures, "verify", counting_verify)

    async def scenario() -> None:
        offload = SignatureOffload(1)
        node.signature_offload = offload
        try:
            await _warm(offload)
            good = _transfer(node, 0)
            await node.preverify([good])
            node.submit(good)
            assert inline == []  # the child's verdict was recorded; the pool skipped its own
            forged = _transfer(node, 1, forged=True)
            await node.preverify([forged])
            with pytest.raises(InvalidTransactionError) as refused:
                node.submit(forged)
            assert refused.value.code is InvalidTransactionCode.BAD_PROOF
            assert len(inline) == 1  # the child said no; the pool checked for itself
            await node.preverify([b"\x00garbage"])  # left to submit, which says why
        finally:
            await offload.close()

    run(scenario())


def test_an_rpc_batch_of_submissions_is_verified_in_one_frame() -> None:
    async def scenario() -> None:
        async with running() as harness:
            offload = SignatureOffload(1)
            harness.node.signature_offload = offload
            try:
                await _warm(offload)
                frames, sent = offload.frames_sent, offload.signatures_sent
                raws = [_transfer(harness.node, nonce) for nonce in range(10)]
                _, answers = await harness.post(
                    [
                        {
                            "jsonrpc": "2.0",
                            "id": index,
                            "method": "author_submitExtrinsic",
                            "params": ["0x" + raw.hex()],
                        }
                        for index, raw in enumerate(raws)
                    ]
                )
                assert [answer.get("error") for answer in answers] == [None] * 10
                assert (offload.frames_sent, offload.signatures_sent) == (frames + 1, sent + 10)
                assert len(harness.node.pool) == 10
            finally:
                await offload.close()

    run(scenario())


def test_the_transactions_a_request_submits_are_found_and_garbage_is_skipped() -> None:
    def request(method: str, *params: Any) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}

    assert submitted_extrinsics(request("author_submitExtrinsic", "0x0102")) == [b"\x01\x02"]
    batch = [
        request("author_submitAndWatchExtrinsic", "0x03"),
        request("khala_relayExtrinsics", ["0x04", "zz", "0x0g", 5, "0x05"]),
        request("author_submitExtrinsic", "0x06", "extra"),
        request("chain_getBlock", "0x07"),
        request("author_submitExtrinsic", "not hex"),
        "not a request",
        {"method": "author_submitExtrinsic", "params": {"named": "0x08"}},
    ]
    assert submitted_extrinsics(batch) == [b"\x03", b"\x04", b"\x05"]
    assert submitted_extrinsics(None) == []
