"""The runtime's version, as ``state_getRuntimeVersion`` reports it."""

from __future__ import annotations

from typing import Any

SPEC_NAME = "khala"
"""Identifies the chain's state machine; tools compare it before signing."""
IMPL_NAME = "khala-py"
"""This implementation."""
SPEC_VERSION = 4
"""Bumped whenever the state transition changes; signed into every transaction.
2: optional storage items are stored as FRAME stores them (plain value, absent for None).
3: the scheduler module (index 7) runs named root calls at a block height.
4: the computation module (index 87): sessions, stakes, heartbeat challenges."""
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
        "apis": [],
        "transactionVersion": TRANSACTION_VERSION,
        "stateVersion": STATE_VERSION,
    }
