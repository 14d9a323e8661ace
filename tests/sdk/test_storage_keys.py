"""The SDK builds storage keys only from the runtime's declared items (no name strings)."""

from __future__ import annotations

from khala.primitives.crypto import keypair_from_uri
from khala.primitives.hashing import StorageHasher, storage_key
from khala.sdk import core

BOB = keypair_from_uri("//Bob").public_key


def test_sdk_keys_are_frame_keys() -> None:
    """The declared items give FRAME's keys (checked against the hashing primitive)."""
    assert core.account_key(BOB) == storage_key(
        "System", "Account", (StorageHasher.BLAKE2_128_CONCAT, BOB)
    )
    assert storage_key("System", "Events") == core.EVENTS_KEY
    assert storage_key("Registry", "Workers") == core.WORKERS_PREFIX
