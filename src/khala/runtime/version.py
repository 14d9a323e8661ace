"""The runtime's version, as ``state_getRuntimeVersion`` reports it."""

from __future__ import annotations

from typing import Any

from khala.runtime.apis import RuntimeVersion, api_versions

SPEC_NAME = "khala"
"""Identifies the chain's state machine; tools compare it before signing."""
IMPL_NAME = "khala-py"
"""This implementation."""
SPEC_VERSION = 6
"""Bumped whenever the state transition changes; signed into every transaction.
2: optional storage items are stored as FRAME stores them (plain value, absent for None).
3: the scheduler module (index 7) runs named root calls at a block height.
4: the computation module (index 87): sessions, stakes, heartbeat challenges.
5: the runtime table: hooks in table order, runtime APIs listed, metadata served.
6: hardening: gatekeeper messages free only when proved; ``mq.ping_workers`` (root only)."""
TRANSACTION_VERSION = 1
"""Bumped whenever call or extrinsic encodings change; signed into every transaction."""
STATE_VERSION = 1
"""Trie layout V1 (values of 33 bytes or more hashed into their own nodes)."""


def runtime_version() -> dict[str, Any]:
    """Return the version object in Substrate's RPC shape."""
    return {
        "specName": SPEC_NAME,
        "implName": IMPL_NAME,
        "authoringVersion": 1,
        "specVersion": SPEC_VERSION,
        "implVersion": 0,
        "apis": [["0x" + api.hex(), version] for api, version in api_versions()],
        "transactionVersion": TRANSACTION_VERSION,
        "stateVersion": STATE_VERSION,
    }


def runtime_version_record() -> RuntimeVersion:
    """Return the version in its SCALE form, what ``Core_version`` answers."""
    return RuntimeVersion(
        SPEC_NAME,
        IMPL_NAME,
        1,
        SPEC_VERSION,
        0,
        api_versions(),
        TRANSACTION_VERSION,
        STATE_VERSION,
    )
