"""Binding host functions to wasmtime: the registry, the per-thread linker, the active execution.

Host functions are plain Python functions ``fn(execution, *wasm_args)`` registered with
:func:`host_fn` under their (module, name). Defining a function on a wasmtime linker costs tens
of microseconds, so each thread keeps one linker per engine with every function defined once;
the functions find the execution they serve through a thread-local slot that
:meth:`Execution._top` sets (:func:`activate`). Only the memory import changes per frame.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import wasmtime

from khala.contracts.host_table import HOST_SIGNATURES

if TYPE_CHECKING:
    from khala.contracts.engine import WasmEngine
    from khala.contracts.execution import Execution

HostFunction = Callable[..., int | None]
"""``fn(execution, *args)``: the implementation of one host function."""

FUNCTIONS: dict[tuple[str, str], HostFunction] = {}
"""Implementations by (module, name), filled by :func:`host_fn`."""


class _Active(threading.local):
    execution: Execution | None = None


_ACTIVE = _Active()

WASM_LOCK = threading.Lock()
"""Held while a contract runs. wasmtime-py hands a host function's exception back to the
caller through one module-wide slot (``LAST_EXCEPTION``), so two threads running wasm at once
could receive each other's traps; executions therefore take turns, releasing the lock only
while a host function waits on the network (:meth:`Execution.unlocked`)."""


def host_fn(module: str, name: str) -> Callable[[HostFunction], HostFunction]:
    """Register the decorated function as the host function ``module.name``."""
    if (module, name) not in HOST_SIGNATURES:
        raise ValueError(f"{module}.{name} has no signature in HOST_SIGNATURES")

    def register(function: HostFunction) -> HostFunction:
        FUNCTIONS[(module, name)] = function
        return function

    return register


def activate(execution: Execution | None) -> Execution | None:
    """Make ``execution`` the one this thread's host functions serve; return the previous."""
    previous = _ACTIVE.execution
    _ACTIVE.execution = execution
    return previous


def linker_for(engine: WasmEngine) -> wasmtime.Linker:
    """Return this thread's linker for ``engine``, with every host function defined.

    The linker lives on the engine (per thread), so it goes away with it: keyed by ``id()``
    elsewhere, a later engine at the same address would find a linker of a dead engine.
    """
    linker: wasmtime.Linker | None = getattr(engine.per_thread, "linker", None)
    if linker is None:
        _load_implementations()
        linker = wasmtime.Linker(engine.engine)
        linker.allow_shadowing = True
        for (module, name), (params, results) in HOST_SIGNATURES.items():
            function = FUNCTIONS[(module, name)]
            kind = wasmtime.FuncType([_valtype(p) for p in params], [_valtype(r) for r in results])
            linker.define_func(module, name, kind, _bind(function, results))
        engine.per_thread.linker = linker
    return linker


def _bind(function: HostFunction, results: tuple[str, ...]) -> Callable[..., Any]:
    if not results:

        def call(*args: int) -> None:
            execution = _ACTIVE.execution
            if execution is None:  # a wasm function called outside an execution
                raise RuntimeError("no active contract execution on this thread")
            function(execution, *args)

        return call
    wide = results == ("i64",)

    def call_with_result(*args: int) -> int:
        execution = _ACTIVE.execution
        if execution is None:
            raise RuntimeError("no active contract execution on this thread")
        value = function(execution, *args)
        if value is None:
            raise RuntimeError("a host function with a result returned nothing")
        bits = 64 if wide else 32
        return value - (1 << bits) if value >= 1 << (bits - 1) else value

    return call_with_result


def _valtype(name: str) -> wasmtime.ValType:
    return wasmtime.ValType.i64() if name == "i64" else wasmtime.ValType.i32()


def _load_implementations() -> None:
    # The implementations register themselves on import; importing them here (not at the
    # top) keeps this module free of a cycle with the execution they use.
    from khala.contracts import host_calls, host_env, host_storage  # noqa: F401, PLC0415

    missing = set(HOST_SIGNATURES) - set(FUNCTIONS)
    if missing:
        raise RuntimeError(f"host functions without an implementation: {sorted(missing)}")
