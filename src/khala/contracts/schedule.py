"""Limits and gas costs of the contract host (``pallet-contracts``' ``Schedule``, simplified).

Gas is wasmtime fuel: one unit per wasm instruction, and each host function charges a fixed
base cost plus a cost per byte it moves, so a contract cannot make the host work for free. The
figures are chosen so that the host's real time per unit stays within a small factor of a wasm
instruction's on the reference machine (``khala bench contracts`` measures both); they are part
of consensus within a cluster (every worker must run a command out of gas at the same point),
so changing one is a runtime upgrade of the cluster, never a local setting.
"""

from __future__ import annotations

from dataclasses import dataclass

SENTINEL = 0xFFFF_FFFF
"""``u32::MAX``: "no such value" from ``set_storage``/``contains_storage`` and "skip" for
output pointers, as in ``pallet-contracts``."""

MAX_STORAGE_KEY_LEN = 128
"""``pallet-contracts``' ``MaxStorageKeyLen``: ink! keys are 4 (root) to 36 (mapping) bytes."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Hard limits a contract runs under."""

    memory_pages: int = 16
    """Maximum linear memory in 64 KiB pages (1 MiB), ``pallet-contracts``' default; ink!
    contracts declare ``(memory 2 16)``."""
    payload_len: int = 16 * 1024
    """Maximum bytes of a storage value, event, input or output: ink!'s static buffer size
    (``staticBufferSize`` 16384 in the metadata), so anything larger cannot be written by ink!
    anyway."""
    event_topics: int = 4
    """Topics per event (ink!'s ``maxEventTopics``)."""
    call_depth: int = 5
    """Nested calls below the top frame (``pallet-contracts``' call stack of 5)."""
    code_len: int = 128 * 1024
    """Largest wasm a cluster accepts by default (compiled ink! contracts are 10–60 KiB)."""
    debug_buffer_len: int = 2 * 1024 * 1024
    """Bytes of ``debug_message`` output kept per execution; the rest is dropped."""


@dataclass(frozen=True, slots=True)
class HostCosts:
    """Gas each host function charges (in fuel units)."""

    base: int = 400
    """Every host call: leaving wasm, argument checks and the return."""
    per_byte: int = 1
    """Each byte copied between linear memory and the host."""
    hash_per_byte: int = 2
    """Each byte hashed."""
    storage_read: int = 2_000
    """A storage lookup (a trie read in the cluster's state)."""
    storage_write: int = 4_000
    """A storage write, creation or removal."""
    event: int = 2_000
    """Recording an event (plus bytes of topics and data)."""
    call: int = 20_000
    """Setting up a nested call or instantiation (a new instance and memory)."""
    transfer: int = 2_000
    """A value transfer between cluster accounts."""
    chain_extension: int = 5_000
    """A pink chain extension call, before what the function itself charges."""
    http_request: int = 100_000
    """An HTTP request from a query (only queries may make them)."""
    signature: int = 50_000
    """Signing or verifying a signature, or deriving a key."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """Everything the host enforces, shared by every worker of a cluster."""

    limits: Limits = Limits()
    """Hard limits."""
    costs: HostCosts = HostCosts()
    """Host function costs."""


DEFAULT_SCHEDULE = Schedule()
"""The schedule clusters run with unless governance sets another."""
