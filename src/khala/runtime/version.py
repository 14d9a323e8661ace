"""The runtime's version constants (per-release versions: :mod:`khala.runtime.releases`)."""

from __future__ import annotations

SPEC_NAME = "khala"
"""Identifies the chain's state machine; tools compare it before signing."""
IMPL_NAME = "khala-py"
"""This implementation."""
SPEC_VERSION = 9
"""The newest runtime release this package ships; signed into every transaction. Older
releases stay shipped (:mod:`khala.runtime.releases`) so chains that run them keep working.
2: optional storage items are stored as FRAME stores them (plain value, absent for None).
3: the scheduler module (index 7) runs named root calls at a block height.
4: the computation module (index 87): sessions, stakes, heartbeat challenges.
5: the runtime table: hooks in table order, runtime APIs listed, metadata served.
6: hardening: gatekeeper messages free only when proved; ``mq.ping_workers`` (root only).
7: governance (council, democracy, preimages, periodic and prioritised scheduler tasks,
   runtime upgrades), vesting; no mining: the launch release.
8: 7 plus mining (computation, stake pools, vaults), what the launch upgrade brings.
9: 8 plus confidential contracts (the phat contracts module, index 94)."""
TRANSACTION_VERSION = 1
"""Bumped whenever call or extrinsic encodings change; signed into every transaction."""
STATE_VERSION = 1
"""Trie layout V1 (values of 33 bytes or more hashed into their own nodes)."""
