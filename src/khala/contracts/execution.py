"""Executing contracts: instantiate and call, frames, nested calls, gas and storage deposits.

One :class:`Execution` is one top-level instantiation or call (a command or a query). It owns
a wasmtime store whose fuel is the gas limit, runs frames on :class:`~khala.contracts.world.
Overlay` transactions (a revert or a trap drops the frame's changes, success merges them into
the caller's), and at the end settles storage deposits and commits to the world it was given.
Nested calls get a share of the fuel: the callee runs with ``min(limit, left)`` and the caller
is charged what it used, so a callee running out of gas traps only itself.

Semantics follow ``pallet-contracts``: input read once, ``seal_return`` with the revert flag,
``CalleeTrapped``/``CalleeReverted`` to callers, reentrancy denied unless allowed, five nested
frames, terminate refused in constructors and reentrant frames, read-only frames deny writes.
Deposits: each contract's required deposit is ``items × per_item + bytes × per_byte`` over its
storage; at the end the origin pays the increase (or receives the decrease) of every touched
contract, refused above the storage deposit limit or the origin's balance.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import wasmtime

from khala.contracts import host
from khala.contracts.engine import NO_DEADLINE, WasmEngine
from khala.contracts.env import CalleeTrapped, DepositPrices, Env, ExecOutcome, Return
from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.frame import ContractEvent, Frame
from khala.contracts.world import ContractInfo, ContractWorld, Overlay
from khala.runtime.modules.phat.ids import contract_id

__all__ = [
    "CalleeTrapped",
    "DepositPrices",
    "Env",
    "ExecOutcome",
    "Execution",
    "Return",
    "contract_address",
]


class Execution:
    """One top-level instantiation or call."""

    def __init__(
        self,
        engine: WasmEngine,
        world: ContractWorld,
        env: Env,
        *,
        gas_limit: int,
        deposit_limit: int | None = None,
    ) -> None:
        """Prepare an execution against ``world`` (committed only when it succeeds)."""
        self.engine = engine
        """The engine (module cache, schedule)."""
        self.env = env
        """The environment."""
        self.schedule = engine.schedule
        """Limits and costs."""
        self.store = wasmtime.Store(engine.engine)
        """The store every frame runs in."""
        self.store.set_fuel(gas_limit)
        self.gas_limit = gas_limit
        """Fuel at the start."""
        self.deposit_limit = deposit_limit
        """Most deposit the origin agrees to pay (None: no limit beyond its balance)."""
        self.world = world
        """The world to commit to."""
        self.overlay = Overlay(world)
        """The top-level transaction."""
        self.frames: list[Frame] = []
        """The call stack."""
        self.debug_buffer: list[str] = []
        """``debug_message`` output."""
        self.nonce = 0
        """Instantiations so far (``instantiation_nonce``)."""
        self.touched: set[bytes] = set()
        """Contracts whose storage this execution changed (their deposits are settled)."""
        self.top_events: list[ContractEvent] = []
        """Events of the top frame and its committed callees, once it has returned."""
        self._deadline: float | None = None

    # Gas ------------------------------------------------------------------------------------

    def charge(self, amount: int) -> None:
        """Take ``amount`` fuel for host work, or fail with ``contracts.out_of_gas``."""
        left = self.store.get_fuel()
        if left < amount:
            self.store.set_fuel(0)
            raise ContractError(ContractErrorCode.OUT_OF_GAS, "the execution ran out of gas")
        self.store.set_fuel(left - amount)

    def gas_left(self) -> int:
        """Fuel left."""
        return self.store.get_fuel()

    def balance_of(self, account: bytes) -> int:
        """An account's cluster balance as the running frame sees it (for extensions)."""
        world = self.frames[-1].world if self.frames else self.overlay
        return world.balance(account)

    def time_left(self) -> float | None:
        """Seconds until the query's deadline (host calls such as HTTP must end by then)."""
        return None if self._deadline is None else self._deadline - time.monotonic()

    def with_gas(self, limit: int, run: Callable[[], tuple[int, bytes]]) -> tuple[int, bytes]:
        """Run a nested frame with at most ``limit`` fuel (0: all that is left)."""
        outer = self.store.get_fuel()
        budget = outer if limit == 0 else min(limit, outer)
        self.store.set_fuel(budget)
        try:
            return run()
        finally:
            used = budget - self.store.get_fuel()
            self.store.set_fuel(outer - used)

    # Top level ------------------------------------------------------------------------------

    def instantiate(
        self, code_hash: bytes, data: bytes, salt: bytes, value: int = 0
    ) -> ExecOutcome:
        """Instantiate ``code_hash`` with constructor call data ``data``."""
        address = contract_address(self.env.origin, code_hash, self.env.cluster, salt)
        return self._top(
            lambda: self.run_instantiate(
                self.overlay, self.env.origin, code_hash, value, data, address, False
            ),
            address,
        )

    def call(self, address: bytes, data: bytes, value: int = 0) -> ExecOutcome:
        """Call the contract at ``address`` with message call data ``data``."""
        return self._top(
            lambda: self.run_call(self.overlay, self.env.origin, address, value, data, False),
            None,
        )

    def _start_clock(self) -> None:
        """Start the query's deadline (once the execution holds the wasm lock)."""
        deadline_s = self.env.deadline_s
        if deadline_s is None:
            self.store.set_epoch_deadline(NO_DEADLINE)
        else:
            self.store.set_epoch_deadline(self.engine.deadline_ticks(deadline_s))
            self._deadline = time.monotonic() + deadline_s

    @contextmanager
    def unlocked(self) -> Iterator[None]:
        """Let other executions run while this one waits on the network (pink HTTP)."""
        host.WASM_LOCK.release()
        try:
            yield
        finally:
            host.WASM_LOCK.acquire()

    def _top(self, run: Callable[[], tuple[int, bytes]], address: bytes | None) -> ExecOutcome:
        with host.WASM_LOCK:
            self._start_clock()
            return self._locked_top(run, address)

    def _locked_top(
        self, run: Callable[[], tuple[int, bytes]], address: bytes | None
    ) -> ExecOutcome:
        previous = host.activate(self)
        try:
            flags, data = run()
            reverted = bool(flags & 1)
            deposit = 0 if reverted else self._settle_deposits()
        except ContractError as error:
            error.gas_consumed = self.gas_limit - self.store.get_fuel()  # type: ignore[attr-defined]
            raise
        finally:
            host.activate(previous)
        if not reverted:
            self.overlay.commit()
        return ExecOutcome(
            reverted=reverted,
            data=data,
            gas_consumed=self.gas_limit - self.store.get_fuel(),
            storage_deposit=deposit,
            events=() if reverted else tuple(self.top_events),
            debug_message="".join(self.debug_buffer),
            address=None if reverted else address,
        )

    # Frames ---------------------------------------------------------------------------------

    def run_instantiate(
        self,
        world: Overlay,
        deployer: bytes,
        code_hash: bytes,
        value: int,
        data: bytes,
        address: bytes,
        read_only: bool,
    ) -> tuple[int, bytes]:
        """Create the contract at ``address`` and run its constructor in a new frame."""
        if read_only:
            raise _denied("instantiate")
        if world.code(code_hash) is None:
            raise ContractError(
                ContractErrorCode.CODE_NOT_FOUND, f"no code 0x{code_hash.hex()} in the cluster"
            )
        if world.contract(address) is not None:
            raise ContractError(
                ContractErrorCode.DUPLICATE_CONTRACT,
                f"a contract already lives at 0x{address.hex()}; use another salt",
            )
        self.nonce += 1
        frame_world = Overlay(world)
        frame_world.set_contract(address, ContractInfo(code_hash=code_hash, deployer=deployer))
        self.transfer(frame_world, deployer, address, value)
        return self.run_frame(
            frame_world, address, code_hash, deployer, value, "deploy", data, read_only, False
        )

    def run_call(
        self,
        world: Overlay,
        caller: bytes,
        address: bytes,
        value: int,
        data: bytes,
        read_only: bool,
        *,
        allow_reentry: bool = True,
    ) -> tuple[int, bytes]:
        """Call the contract at ``address`` in a new frame."""
        info = world.contract(address)
        if info is None:
            raise ContractError(
                ContractErrorCode.CONTRACT_NOT_FOUND, f"no contract at 0x{address.hex()}"
            )
        if not allow_reentry and any(frame.account == address for frame in self.frames):
            raise ContractError(
                ContractErrorCode.REENTRANCE_DENIED,
                f"0x{address.hex()} is already on the call stack and reentry was not allowed",
            )
        if value and read_only:
            raise _denied("transfer value")
        frame_world = Overlay(world)
        self.transfer(frame_world, caller, address, value)
        return self.run_frame(
            frame_world, address, info.code_hash, caller, value, "call", data, read_only, False
        )

    def run_frame(
        self,
        world: Overlay,
        account: bytes,
        code_hash: bytes,
        caller: bytes,
        value: int,
        entry: str,
        data: bytes,
        read_only: bool,
        delegate: bool,
    ) -> tuple[int, bytes]:
        """Run one entry point; merge ``world`` into its parent unless it reverts or fails."""
        if len(self.frames) > self.schedule.limits.call_depth:
            raise ContractError(
                ContractErrorCode.MAX_CALL_DEPTH,
                f"calls nest deeper than {self.schedule.limits.call_depth} frames",
            )
        wasm = world.code(code_hash)
        if wasm is None:
            raise ContractError(
                ContractErrorCode.CODE_NOT_FOUND, f"no code 0x{code_hash.hex()} in the cluster"
            )
        code = self.engine.module(code_hash, wasm)
        limits = wasmtime.Limits(code.memory_min, code.memory_max)
        memory = wasmtime.Memory(self.store, wasmtime.MemoryType(limits))
        frame = Frame(
            account=account,
            code_hash=code_hash,
            caller=caller,
            value=value,
            entry=entry,
            world=world,
            input=data,
            read_only=read_only,
            store=self.store,
            memory=memory,
            delegate=delegate,
        )
        self.frames.append(frame)
        try:
            flags, output = self._enter(frame, code.module)
        except ContractError as error:
            if len(self.frames) == 1 or error.code is ContractErrorCode.DEADLINE:
                raise
            raise CalleeTrapped(error) from None
        finally:
            self.frames.pop()
        if flags & 1:
            return flags, output
        world.commit()
        if self.frames:
            self.frames[-1].events.extend(frame.events)
        else:
            self.top_events = frame.events
        return flags, output

    def _enter(self, frame: Frame, module: wasmtime.Module) -> tuple[int, bytes]:
        linker = host.linker_for(self.engine)
        try:
            linker.define(self.store, "env", "memory", frame.memory)
            instance = linker.instantiate(self.store, module)
            export = instance.exports(self.store)[frame.entry]
            if not isinstance(export, wasmtime.Func):
                raise ContractError(ContractErrorCode.INVALID_CODE, f"{frame.entry} is no function")
            export(self.store)
        except Return as done:
            return done.flags, done.data
        except wasmtime.Trap as trap:
            raise _trap_error(trap) from None
        except wasmtime.WasmtimeError as error:
            raise ContractError(
                ContractErrorCode.TRAPPED, f"the contract could not start: {_first_line(error)}"
            ) from None
        return 0, b""

    # Value and deposits ---------------------------------------------------------------------

    def transfer(self, world: Overlay, source: bytes, dest: bytes, value: int) -> None:
        """Move ``value`` between cluster accounts, or fail with ``transfer_failed``."""
        if value == 0:
            return
        have = world.balance(source)
        if have < value:
            raise ContractError(
                ContractErrorCode.TRANSFER_FAILED,
                f"0x{source.hex()} has {have} in the cluster, cannot send {value}",
            )
        world.set_balance(source, have - value)
        world.set_balance(dest, world.balance(dest) + value)

    def _settle_deposits(self) -> int:
        prices = self.env.prices
        world = self.overlay
        total = 0
        for address in sorted(self.touched):
            info = world.contract(address)
            if info is None:
                continue
            required = info.storage_items * prices.per_item + info.storage_bytes * prices.per_byte
            delta = required - info.storage_deposit
            if delta:
                total += delta
                world.set_contract(address, replace(info, storage_deposit=required))
        if self.deposit_limit is not None and total > self.deposit_limit:
            raise ContractError(
                ContractErrorCode.STORAGE_DEPOSIT_LIMIT,
                f"the storage needs a deposit of {total}; the limit is {self.deposit_limit}",
            )
        have = world.balance(self.env.origin)
        if total > have:
            raise ContractError(
                ContractErrorCode.STORAGE_DEPOSIT_NOT_ENOUGH_FUNDS,
                f"the storage needs a deposit of {total}; the origin has {have} in the cluster",
            )
        world.set_balance(self.env.origin, have - total)
        return total


contract_address = contract_id
"""A contract's address: ``blake2_256(deployer ‖ code_hash ‖ cluster ‖ salt)``, the formula the
chain uses (:func:`khala.runtime.modules.phat.ids.contract_id`), for nested instantiations too."""


def _denied(what: str) -> ContractError:
    return ContractError(ContractErrorCode.STATE_CHANGE_DENIED, f"a read-only call may not {what}")


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    for line in text.splitlines():
        if "wasm trap:" in line:
            return line.strip()
    return text.splitlines()[0] if text else type(error).__name__


def _trap_error(trap: wasmtime.Trap) -> ContractError:
    code = trap.trap_code
    if code == wasmtime.TrapCode.OUT_OF_FUEL:
        return ContractError(ContractErrorCode.OUT_OF_GAS, "the execution ran out of gas")
    if code == wasmtime.TrapCode.INTERRUPT:
        return ContractError(ContractErrorCode.DEADLINE, "the query ran past its deadline")
    return ContractError(ContractErrorCode.TRAPPED, f"the contract trapped: {_first_line(trap)}")
