"""The wasmtime engine contracts run on: deterministic settings, code checks, a module cache.

Every worker of a cluster must reach the same state from the same commands, so the engine is
configured for determinism, as ``pallet-contracts`` configures wasmi:

* **fuel** counts every instruction (gas), so a command runs out of gas at the same instruction
  on every worker;
* **NaN canonicalisation**: floating-point NaNs have one bit pattern;
* **no threads, no SIMD** (relaxed SIMD has platform-dependent results), no GC, exceptions,
  tail calls or multiple memories; reference types stay on because Rust 1.82+ emits their
  ``call_indirect`` encoding;
* a **memory cap** (the contract's own ``(memory min max)`` import, at most the schedule's pages);
* an **epoch deadline** for queries: a ticker thread advances the engine's epoch, and a query
  that runs past its deadline traps with ``contracts.deadline``. Commands never get a deadline:
  wall-clock time must not decide a consensus result.

Code is checked once at upload (:meth:`WasmEngine.check_code`): it must compile, import only
``env.memory`` and host functions this host provides (with their exact signatures), and export
``deploy`` and ``call``. Compiled modules are cached by code hash.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import wasmtime

from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.host_table import HOST_SIGNATURES
from khala.contracts.schedule import DEFAULT_SCHEDULE, Schedule
from khala.primitives.hashing import blake2_256

MODULE_CACHE_SIZE = 64
"""Compiled modules kept in memory; a compile takes tens of milliseconds, a hit microseconds."""
EPOCH_TICK_S = 0.005
"""How often the ticker advances the epoch: the resolution of query deadlines."""
NO_DEADLINE = 1 << 62
"""The epoch deadline of commands: never reached (the ticker would need 700 million years)."""
ENTRY_POINTS = ("deploy", "call")
"""Exports every ink! contract has: the constructor and the message dispatcher."""


@dataclass(frozen=True, slots=True)
class CompiledCode:
    """A compiled contract and what each instantiation needs to know about it."""

    module: wasmtime.Module
    """The compiled module."""
    memory_min: int
    """Initial pages of its memory."""
    memory_max: int
    """Maximum pages (its declared maximum, at most the schedule's)."""


class WasmEngine:
    """A configured wasmtime engine with a compiled-module cache; one per process is enough."""

    def __init__(self, schedule: Schedule = DEFAULT_SCHEDULE) -> None:
        """Create the engine with the deterministic configuration described above."""
        config = wasmtime.Config()
        config.consume_fuel = True
        config.epoch_interruption = True
        config.cranelift_nan_canonicalization = True
        config.wasm_threads = False
        config.wasm_simd = False
        config.wasm_relaxed_simd = False
        config.wasm_multi_memory = False
        config.wasm_memory64 = False
        config.wasm_gc = False
        config.wasm_function_references = False
        config.wasm_tail_call = False
        config.wasm_exceptions = False
        config.parallel_compilation = False
        self.schedule = schedule
        """Limits and costs every execution on this engine uses."""
        self.engine = wasmtime.Engine(config)
        """The wasmtime engine (stores and modules of one execution must share it)."""
        self._modules: OrderedDict[bytes, CompiledCode] = OrderedDict()
        self._lock = threading.Lock()
        self._ticker: threading.Thread | None = None
        self.per_thread = threading.local()
        """Each thread's linker for this engine (see :func:`khala.contracts.host.linker_for`)."""
        self._stopped = threading.Event()

    def check_code(self, wasm: bytes) -> bytes:
        """Validate uploaded code and return its code hash (blake2_256 of the bytes).

        Raises:
            ContractError: ``contracts.code_too_large`` or ``contracts.invalid_code`` saying
                what is wrong (does not compile, an unknown import, a missing export...).
        """
        cap = self.schedule.limits.code_len
        if len(wasm) > cap:
            raise ContractError(
                ContractErrorCode.CODE_TOO_LARGE, f"the code is {len(wasm)} bytes; the cap is {cap}"
            )
        code_hash = blake2_256(wasm)
        self._check_module(self._compile(code_hash, wasm).module)
        return code_hash

    def module(self, code_hash: bytes, wasm: bytes) -> CompiledCode:
        """Return the compiled code of ``wasm`` (which must hash to ``code_hash``), cached."""
        with self._lock:
            module = self._modules.get(code_hash)
            if module is not None:
                self._modules.move_to_end(code_hash)
                return module
        return self._compile(code_hash, wasm)

    def cached(self, code_hash: bytes) -> bool:
        """Whether the module of ``code_hash`` is compiled and cached."""
        with self._lock:
            return code_hash in self._modules

    def _memory_limits(self, module: wasmtime.Module) -> tuple[int, int]:
        for item in module.imports:
            if isinstance(item.type, wasmtime.MemoryType):
                limits = item.type.limits
                cap = self.schedule.limits.memory_pages
                maximum = cap if limits.max is None else min(limits.max, cap)
                return limits.min, maximum
        raise ContractError(ContractErrorCode.INVALID_CODE, "the code imports no env.memory")

    def deadline_ticks(self, seconds: float) -> int:
        """Start the epoch ticker if needed and return how many ticks ``seconds`` is."""
        with self._lock:
            if self._ticker is None:
                self._ticker = threading.Thread(
                    target=self._tick, name="contracts-epoch", daemon=True
                )
                self._ticker.start()
        return max(1, round(seconds / EPOCH_TICK_S))

    def close(self) -> None:
        """Stop the epoch ticker (queries then can no longer time out)."""
        self._stopped.set()

    def _tick(self) -> None:
        while not self._stopped.wait(EPOCH_TICK_S):
            self.engine.increment_epoch()

    def _compile(self, code_hash: bytes, wasm: bytes) -> CompiledCode:
        try:
            module = wasmtime.Module(self.engine, wasm)
        except wasmtime.WasmtimeError as error:
            first = str(error).splitlines()[0] if str(error) else "invalid wasm"
            raise ContractError(
                ContractErrorCode.INVALID_CODE, f"the code does not compile: {first}"
            ) from None
        low, high = self._memory_limits(module)
        compiled = CompiledCode(module, low, high)
        with self._lock:
            self._modules[code_hash] = compiled
            self._modules.move_to_end(code_hash)
            while len(self._modules) > MODULE_CACHE_SIZE:
                self._modules.popitem(last=False)
        return compiled

    def _check_module(self, module: wasmtime.Module) -> None:
        memories = 0
        for item in module.imports:
            where = f"{item.module}.{item.name}"
            if isinstance(item.type, wasmtime.MemoryType):
                if where != "env.memory":
                    raise ContractError(
                        ContractErrorCode.INVALID_CODE,
                        f"memory must be imported as env.memory, not {where}",
                    )
                memories += 1
                self._check_memory(item.type)
                continue
            if not isinstance(item.type, wasmtime.FuncType):
                raise ContractError(
                    ContractErrorCode.INVALID_CODE,
                    f"{where}: only functions and env.memory may be imported",
                )
            expected = HOST_SIGNATURES.get((item.module or "", item.name or ""))
            if expected is None:
                raise ContractError(
                    ContractErrorCode.INVALID_CODE, f"{where} is not a host function of this host"
                )
            params = tuple(str(value) for value in item.type.params)
            results = tuple(str(value) for value in item.type.results)
            if (params, results) != expected:
                raise ContractError(
                    ContractErrorCode.INVALID_CODE,
                    f"{where} is imported as {params}->{results}; "
                    f"the host has {expected[0]}->{expected[1]}",
                )
        if memories != 1:
            raise ContractError(
                ContractErrorCode.INVALID_CODE, "the code must import env.memory once"
            )
        exports = {item.name: item.type for item in module.exports}
        for name in ENTRY_POINTS:
            kind = exports.get(name)
            if not isinstance(kind, wasmtime.FuncType) or list(kind.params) or list(kind.results):
                raise ContractError(
                    ContractErrorCode.INVALID_CODE,
                    f"the code must export a function {name}() -> ()",
                )

    def _check_memory(self, memory: wasmtime.MemoryType) -> None:
        cap = self.schedule.limits.memory_pages
        limits = memory.limits
        if limits.max is None or limits.max > cap or limits.min > limits.max:
            raise ContractError(
                ContractErrorCode.INVALID_CODE,
                f"env.memory must declare a maximum of at most {cap} pages "
                f"(it declares {limits.min}..{limits.max})",
            )
