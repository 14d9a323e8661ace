"""The relayer's fleet loop against a real in-process node and fake workers (no processes)."""

from __future__ import annotations

import io

from khala.primitives.crypto import KeyScheme, keypair_from_seed, keypair_from_uri
from khala.primitives.scale import codec_of
from khala.relayer.progress import SyncProgress
from khala.relayer.sync import SyncConfig, Syncer
from khala.runtime.extrinsic import decode_extrinsic
from khala.runtime.modules.mq.calls import SyncOffchainMessage, signed_payload
from khala.runtime.modules.mq.types import Message, MessageOrigin, SignedMessage, WorkerOrigin
from khala.sdk import AsyncClient
from khala.sdk.worker_api import EgressQueue, FakeWorkerApi
from tests.node.rpc_harness import run, running

OPERATOR = keypair_from_uri("//Dave")
WORKER = keypair_from_seed(KeyScheme.SR25519, b"\x05" * 32)


def _syncer(url: str, *fakes: FakeWorkerApi) -> Syncer:
    urls = tuple(f"http://fake-{index}" for index in range(len(fakes)))
    syncer = Syncer(SyncConfig(url, urls, OPERATOR, batch=4, show_progress=False))
    for worker, fake in zip(syncer.workers, fakes, strict=True):
        worker.api = fake
    return syncer


def test_every_worker_gets_every_block_once_in_order() -> None:
    """Two workers at different heights both reach the finalized head, block by block."""

    async def scenario() -> None:
        async with running() as harness, AsyncClient(harness.url) as client:
            for _ in range(6):
                harness.author()
            fresh, ahead = FakeWorkerApi(), FakeWorkerApi(height=3, fed=[0, 1, 2, 3])
            syncer = _syncer(harness.url, fresh, ahead)
            rounds = 0
            while not await syncer.run_round(client):
                rounds += 1
                assert rounds < 10
            assert fresh.fed == list(range(7)) and ahead.fed == list(range(7))

    run(scenario())


def test_an_unreachable_worker_is_skipped_and_backed_off() -> None:
    """A down worker does not stop the others; it is retried later, not every round."""

    async def scenario() -> None:
        async with running() as harness, AsyncClient(harness.url) as client:
            harness.author()
            down, up = FakeWorkerApi(reachable=False), FakeWorkerApi()
            syncer = _syncer(harness.url, down, up)
            await syncer.run_round(client)
            await syncer.run_round(client)
            assert up.height == 1 and down.height == -1
            assert syncer.workers[0].backoff.attempts == 1  # the second round did not ask

    run(scenario())


def test_identical_messages_from_two_workers_are_relayed_once() -> None:
    """Gatekeepers emit byte-identical messages: one submission per (origin, sequence)."""

    async def scenario() -> None:
        async with running() as harness, AsyncClient(harness.url) as client:
            origin = WorkerOrigin(WORKER.public_key)
            message = Message(origin, b"khala/worker/pong", b"hi")
            signed = SignedMessage(message, 0, WORKER.sign(signed_payload(message, 0)))
            queue = EgressQueue(
                codec_of(MessageOrigin).encode(origin),
                [(0, codec_of(SignedMessage).encode(signed))],
            )
            syncer = _syncer(
                harness.url, FakeWorkerApi(queues=[queue]), FakeWorkerApi(queues=[queue])
            )
            await syncer.run_round(client)
            await syncer.run_round(client)
            pending = [decode_extrinsic(raw).call for raw in harness.node.pool.pending()]
            assert pending == [SyncOffchainMessage(signed)]

    run(scenario())


def test_progress_is_shown_while_catching_up_and_quiet_when_following() -> None:
    """A worker far behind gets a progress line; one a block behind gets none per block."""

    async def scenario() -> None:
        async with running() as harness, AsyncClient(harness.url) as client:
            for _ in range(8):
                harness.author()
            behind, following = FakeWorkerApi(), FakeWorkerApi(height=7, fed=list(range(8)))
            for fake, expect_line in ((behind, True), (following, False)):
                syncer = _syncer(harness.url, fake)
                shown = io.StringIO()
                syncer.progress = SyncProgress(shown, terminal=False)
                harness.author()
                await syncer.run_round(client)
                printed = shown.getvalue()
                assert ("sync " in printed) is expect_line, printed

    run(scenario())
