"""One frame of a contract execution: its account, input, memory and the overlay it writes.

A frame is what ``pallet-contracts`` calls a ``Frame``: one contract running one entry point
(``deploy`` or ``call``) on behalf of a caller. The host functions read and write the frame's
linear memory through :meth:`Frame.read` and :meth:`Frame.write`, which check bounds and
charge gas per byte; :meth:`Frame.write_output` implements the API's output convention
(``out_ptr``/``out_len_ptr``: the buffer's capacity is read from ``out_len_ptr``, the written
length stored back, ``SENTINEL`` as ``out_ptr`` skips the output where that is allowed).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import wasmtime

from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.schedule import SENTINEL

if TYPE_CHECKING:
    from khala.contracts.world import Overlay


@dataclass(frozen=True, slots=True)
class ContractEvent:
    """An event a contract deposited."""

    contract: bytes
    """The emitting contract."""
    topics: tuple[bytes, ...]
    """Its topics (32 bytes each)."""
    data: bytes
    """The SCALE-encoded event, decoded by the contract's metadata."""


@dataclass(eq=False)
class Frame:
    """A contract running one entry point."""

    account: bytes
    """Whose storage and balance the frame uses (for a delegate call, the caller's)."""
    code_hash: bytes
    """The code running (for a delegate call, the delegate's)."""
    caller: bytes
    """Who called: the origin for the top frame, the calling contract otherwise."""
    value: int
    """Value transferred with the call."""
    entry: str
    """``deploy`` or ``call``."""
    world: Overlay
    """This frame's storage transaction."""
    input: bytes | None
    """Call data, until the contract takes it (``input`` reads it once)."""
    read_only: bool
    """Whether state changes are denied (``READ_ONLY`` calls)."""
    store: wasmtime.Store
    """The store the execution runs in."""
    memory: wasmtime.Memory
    """The frame's linear memory."""
    delegate: bool = False
    """Whether this frame runs another contract's code in its caller's context."""
    events: list[ContractEvent] = field(default_factory=list)
    """Events deposited by this frame and its committed callees."""

    def _address(self, ptr: int, length: int) -> int:
        # The memory may have grown (and moved) since the last host call: look it up each time.
        start = ptr & 0xFFFF_FFFF
        if start + length > self.memory.data_len(self.store):
            raise ContractError(
                ContractErrorCode.OUT_OF_BOUNDS,
                f"{length} bytes at {start} lie outside the contract's memory",
            )
        return ctypes.addressof(self.memory.data_ptr(self.store).contents) + start

    def read(self, ptr: int, length: int) -> bytes:
        """Read ``length`` bytes of linear memory at ``ptr``."""
        length &= 0xFFFF_FFFF
        address = self._address(ptr, length)
        return ctypes.string_at(address, length) if length else b""

    def read_u32(self, ptr: int) -> int:
        """Read a little-endian u32 at ``ptr``."""
        return int.from_bytes(self.read(ptr, 4), "little")

    def write(self, ptr: int, data: bytes) -> None:
        """Write ``data`` into linear memory at ``ptr``."""
        address = self._address(ptr, len(data))
        if data:
            ctypes.memmove(address, data, len(data))

    def write_output(
        self, out_ptr: int, out_len_ptr: int, data: bytes, *, allow_skip: bool = True
    ) -> None:
        """Write ``data`` to an output buffer and its length to ``out_len_ptr``.

        Raises:
            ContractError: ``contracts.output_buffer_too_small`` when the buffer (whose
                capacity is the u32 at ``out_len_ptr``) cannot hold ``data``.
        """
        if allow_skip and (out_ptr & 0xFFFF_FFFF) == SENTINEL:
            return
        capacity = self.read_u32(out_len_ptr)
        if capacity < len(data):
            raise ContractError(
                ContractErrorCode.OUTPUT_BUFFER_TOO_SMALL,
                f"the contract's buffer holds {capacity} bytes; the output is {len(data)}",
            )
        self.write(out_ptr, data)
        self.write(out_len_ptr, len(data).to_bytes(4, "little"))

    def take_input(self) -> bytes:
        """Hand out the call data once.

        Raises:
            ContractError: ``contracts.input_forwarded`` on a second read or after forwarding.
        """
        if self.input is None:
            raise ContractError(
                ContractErrorCode.INPUT_FORWARDED,
                "the input was already read or forwarded; contracts read it once",
            )
        data, self.input = self.input, None
        return data
