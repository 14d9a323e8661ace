"""What an execution runs with and what it produces: environment, prices, outcome, signals.

:class:`Env` is the same on every worker for a command (block, time, prices, no deadline);
queries add a deadline, debug output and pink's non-deterministic functions.
:class:`ExecOutcome` is a finished execution; :class:`Return` and :class:`CalleeTrapped` are
the control-flow signals between host functions and frames.
"""

from __future__ import annotations

from dataclasses import dataclass

from khala.contracts.errors import ContractError
from khala.contracts.extension import ChainExtension
from khala.contracts.frame import ContractEvent


@dataclass(frozen=True, slots=True)
class DepositPrices:
    """The cluster's storage deposit prices."""

    per_item: int = 0
    """Deposit per storage entry."""
    per_byte: int = 0
    """Deposit per byte of key and value."""


@dataclass(frozen=True, slots=True)
class Env:
    """The environment of one execution, the same on every worker for a command."""

    origin: bytes
    """The account that signed the command or query; it pays storage deposits."""
    cluster: bytes
    """The cluster id, part of every contract address."""
    block_number: int = 0
    """The block the command is in (the latest synced block for queries)."""
    now_ms: int = 0
    """That block's timestamp in milliseconds."""
    prices: DepositPrices = DepositPrices()
    """Storage deposit prices."""
    debug: bool = False
    """Whether ``debug_message`` output is collected (queries and dry runs)."""
    deadline_s: float | None = None
    """Wall-clock limit of a query; None for commands, which must be deterministic."""
    extension: ChainExtension | None = None
    """The chain extension (pink) contracts may call."""
    in_query: bool = False
    """Whether this is a query (read-only results, HTTP and randomness allowed)."""


@dataclass(frozen=True, slots=True)
class ExecOutcome:
    """What a finished (returned or reverted) execution produced."""

    reverted: bool
    """Whether the contract returned with the revert flag (no state was changed)."""
    data: bytes
    """What the contract returned (SCALE, decoded by its metadata)."""
    gas_consumed: int
    """Fuel used."""
    storage_deposit: int
    """Deposit charged to the origin (negative: refunded)."""
    events: tuple[ContractEvent, ...]
    """Events of every frame that was not rolled back."""
    debug_message: str
    """Collected ``debug_message`` output (empty unless ``Env.debug``)."""
    address: bytes | None = None
    """The new contract's address, for an instantiation."""


class Return(Exception):  # noqa: N818 - control flow, not an error
    """Raised by ``seal_return`` and ``terminate`` to end a frame with output."""

    def __init__(self, flags: int, data: bytes) -> None:
        """End the frame with ``flags`` and ``data``."""
        super().__init__("seal_return")
        self.flags = flags
        self.data = data


class CalleeTrapped(Exception):  # noqa: N818 - reported to the caller as a return code
    """A nested frame failed; its caller gets ``CalleeTrapped`` and carries on."""

    def __init__(self, error: ContractError) -> None:
        """Wrap the callee's error."""
        super().__init__(error.message)
        self.error = error
