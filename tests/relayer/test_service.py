"""The relayer service: configured once, its tasks in one group, failures typed."""

from __future__ import annotations

import pytest

from khala.primitives.crypto import keypair_from_uri
from khala.relayer.registration import RelayerError, RelayerErrorCode
from khala.relayer.service import RelayerService, RelayerServiceConfig
from tests.integration.processes import free_port
from tests.node.rpc_harness import run, running


def test_register_once_names_an_unreachable_worker_without_its_token() -> None:
    """A worker nobody listens for is a typed error; its token never appears in it."""

    async def scenario() -> None:
        async with running() as harness:
            nowhere = f"http://:s3cret@127.0.0.1:{free_port()}"
            config = RelayerServiceConfig(harness.url, (nowhere,), keypair_from_uri("//Dave"))
            with pytest.raises(RelayerError) as caught:
                await RelayerService(config).register_once()
            assert caught.value.code is RelayerErrorCode.WORKER_UNREACHABLE
            assert "s3cret" not in caught.value.message

    run(scenario())


def test_the_service_shares_one_submitter_across_its_tasks() -> None:
    """Registrations and the sync loop sign with one nonce sequence."""
    config = RelayerServiceConfig(
        "http://127.0.0.1:9", ("http://127.0.0.1:8001", "http://127.0.0.1:8011"),
        keypair_from_uri("//Dave"),
    )  # fmt: skip
    service = RelayerService(config)
    submitters = {id(item.submitter) for item in service.registrations()}
    assert submitters == {id(service.submitter)} and service.syncer.submitter is service.submitter
