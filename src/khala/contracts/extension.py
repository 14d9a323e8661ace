"""The chain extension interface: what ``call_chain_extension`` reaches.

``pallet-contracts`` lets a runtime add functions contracts call by a 32-bit id: the high 16
bits name the extension, the low 16 bits the function. Phala's pink extension is extension 0.
An extension receives the raw input bytes (SCALE of the function's arguments as a tuple) and
returns a status code and output bytes, which the host writes to the contract's buffer.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ExtensionCall:
    """One chain extension call as the extension sees it."""

    contract: bytes
    """The calling contract's address."""
    caller: bytes
    """Who called that contract."""
    origin: bytes
    """Who signed the command or query."""
    func_id: int
    """The function (low 16 bits of the id)."""
    input: bytes
    """SCALE-encoded arguments."""
    in_query: bool
    """Whether this runs in a query (else a command replayed by every cluster worker)."""


class ExtensionHost(Protocol):
    """What an extension may ask of the execution that called it."""

    def charge(self, amount: int) -> None:
        """Take gas for the extension's work."""
        ...

    def balance_of(self, account: bytes) -> int:
        """An account's balance in the cluster, as the execution sees it."""
        ...

    def time_left(self) -> float | None:
        """Seconds until a query's deadline (None for commands, which have none)."""
        ...

    def unlocked(self) -> AbstractContextManager[None]:
        """A context in which other executions may run (wrap waits on the network)."""
        ...


class ChainExtension(Protocol):
    """A chain extension: functions by id."""

    def call(self, host: ExtensionHost, call: ExtensionCall) -> tuple[int, bytes]:
        """Run one function; return (status code, output bytes).

        Raises:
            ContractError: ``contracts.no_chain_extension`` for an unknown function; any
                other error traps the calling contract.
        """
        ...
