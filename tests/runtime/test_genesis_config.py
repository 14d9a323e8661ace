"""The genesis config file: preset overrides, the starting release, trusted roots, errors."""

from __future__ import annotations

from typing import Any

import pytest

from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.trie import Trie
from khala.runtime.genesis import (
    GenesisError,
    build_genesis_storage,
    parse_genesis_config,
    preset_of,
)
from khala.runtime.modules.registry.state import TRUSTED_ROOTS
from khala.runtime.presets import KHALA
from khala.runtime.state import State
from khala.runtime.upgrades import spec_version_of

ALICE = keypair_from_uri("//Alice")


def _document(**extra: Any) -> dict[str, Any]:
    return {
        "preset": "khala",
        "endowed": [["0x" + ALICE.public_key.hex(), "1000PHA"]],
        "authorities": [
            {
                "finality_key": "0x"
                + keypair_from_uri("//Alice", KeyScheme.ED25519).public_key.hex(),
                "account": "0x" + ALICE.public_key.hex(),
            }
        ],
        **extra,
    }


def _state(document: dict[str, Any]) -> State:
    storage = build_genesis_storage(parse_genesis_config(document))
    trie = Trie()
    for key, value in storage.items():
        trie.insert(key, value)
    return State(trie)


def test_overrides_and_release_are_recorded_so_every_node_agrees() -> None:
    """A test network: the khala preset with 1 s blocks, started on the launch release."""
    root = b"\x30\x82" + bytes(40)
    document = _document(
        preset_overrides={"block_time_ms": 1000, "council_motion_blocks": 10},
        spec_version=7,
        trusted_roots=["0x" + root.hex()],
    )
    config = parse_genesis_config(document)
    assert config.preset.block_time_ms == 1000 and config.preset.council_motion_blocks == 10
    assert config.preset.cool_down_secs == KHALA.cool_down_secs
    state = _state(document)
    recorded = preset_of(state.get)
    assert recorded == config.preset and recorded.has_sudo is False
    assert spec_version_of(state) == 7
    assert [bytes(r) for r in TRUSTED_ROOTS.get(state)] == [root]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"preset_overrides": {"has_sudo": 1}}, "'has_sudo' is not an overridable constant"),
        ({"preset_overrides": {"block_time_ms": 0}}, "positive integer"),
        ({"preset_overrides": {"block_time_ms": True}}, "positive integer"),
        ({"preset_overrides": [1]}, "must be an object"),
        ({"spec_version": 99}, "spec_version 99: this khala has releases 7, 8"),
        ({"trusted_roots": ["nothex"]}, "trusted_roots[0] must be a DER certificate"),
    ],
)
def test_bad_fields_are_named(extra: dict[str, Any], needle: str) -> None:
    with pytest.raises(GenesisError) as raised:
        parse_genesis_config(_document(**extra))
    assert needle in raised.value.message
