"""Code checks at upload, the module cache, payload and memory limits."""

from __future__ import annotations

import pytest
import wasmtime

from khala.contracts.engine import WasmEngine
from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.schedule import Limits, Schedule
from khala.primitives.hashing import blake2_256

from .conftest import Host

EXPORTS = '(func (export "deploy")) (func (export "call"))'


def module(body: str, memory: str = '(import "env" "memory" (memory 1 16))') -> bytes:
    return wasmtime.wat2wasm(f"(module {memory} {body})")


def refused(engine: WasmEngine, wasm: bytes) -> ContractError:
    with pytest.raises(ContractError) as caught:
        engine.check_code(wasm)
    return caught.value


def test_a_minimal_contract_is_accepted_and_hashed(engine: WasmEngine) -> None:
    wasm = module(EXPORTS)
    assert engine.check_code(wasm) == blake2_256(wasm)
    assert engine.cached(blake2_256(wasm))


@pytest.mark.parametrize(
    ("wasm_text", "fragment"),
    [
        (f'(import "seal0" "not_a_function" (func)) {EXPORTS}', "not a host function"),
        (f'(import "seal0" "input" (func (param i32))) {EXPORTS}', "imported as"),
        (f'(import "env" "table" (table 1 funcref)) {EXPORTS}', "only functions"),
        ('(func (export "call"))', "deploy"),
        ('(func (export "deploy")) (func (export "call") (param i32))', "call"),
    ],
)
def test_bad_imports_and_exports_are_refused(
    engine: WasmEngine, wasm_text: str, fragment: str
) -> None:
    error = refused(engine, module(wasm_text))
    assert error.code is ContractErrorCode.INVALID_CODE
    assert fragment in error.message


@pytest.mark.parametrize(
    "memory",
    [
        "",  # no memory import
        "(memory 1)",  # its own memory instead of the import
        '(import "env" "memory" (memory 1))',  # no maximum
        '(import "env" "memory" (memory 1 17))',  # above the 16-page cap
        '(import "env" "mem" (memory 1 2))',  # wrong name
    ],
)
def test_memory_must_be_the_capped_import(engine: WasmEngine, memory: str) -> None:
    error = refused(engine, module(EXPORTS, memory))
    assert error.code is ContractErrorCode.INVALID_CODE


def test_garbage_and_oversized_code_are_refused(engine: WasmEngine) -> None:
    assert refused(engine, b"\x00asm junk").code is ContractErrorCode.INVALID_CODE
    small = WasmEngine(Schedule(limits=Limits(code_len=64)))
    big = module(EXPORTS + " (func $f " + "(nop)" * 100 + ")")
    assert refused(small, big).code is ContractErrorCode.CODE_TOO_LARGE


def test_threads_and_simd_are_off(engine: WasmEngine) -> None:
    simd = module('(func (export "deploy") (drop (v128.const i64x2 0 0))) (func (export "call"))')
    assert refused(engine, simd).code is ContractErrorCode.INVALID_CODE


def test_returning_more_than_the_payload_limit_traps(host: Host) -> None:
    code = host.upload(
        module(
            '(import "seal0" "seal_return" (func $r (param i32 i32 i32)))'
            ' (func (export "deploy")) (func (export "call") (call $r (i32.const 0) (i32.const 0)'
            " (i32.const 16385)))"
        )
    )
    address = host.instantiate(code, b"").address
    assert address is not None
    with pytest.raises(ContractError) as caught:
        host.call(address, b"")
    assert caught.value.code is ContractErrorCode.VALUE_TOO_LARGE


def test_pointers_outside_memory_trap(host: Host) -> None:
    code = host.upload(
        module(
            '(import "seal0" "seal_return" (func $r (param i32 i32 i32)))'
            ' (func (export "deploy")) (func (export "call")'
            " (call $r (i32.const 0) (i32.const 65530) (i32.const 100)))"
        )
    )
    address = host.instantiate(code, b"").address
    assert address is not None
    with pytest.raises(ContractError) as caught:
        host.call(address, b"")
    assert caught.value.code is ContractErrorCode.OUT_OF_BOUNDS


def test_returning_without_seal_return_is_empty_success(host: Host) -> None:
    address = host.instantiate(host.upload(module(EXPORTS)), b"").address
    assert address is not None
    outcome = host.call(address, b"ignored")
    assert (outcome.reverted, outcome.data) == (False, b"")


def test_nan_results_are_canonical(host: Host) -> None:
    # 0/0 in f32 is a NaN whose sign and payload differ across CPUs unless canonicalised.
    code = host.upload(
        module(
            '(import "seal0" "seal_return" (func $r (param i32 i32 i32)))'
            ' (func (export "deploy")) (func (export "call")'
            " (f32.store (i32.const 0) (f32.div (f32.const 0) (f32.const 0)))"
            " (call $r (i32.const 0) (i32.const 0) (i32.const 4)))"
        )
    )
    address = host.instantiate(code, b"").address
    assert address is not None
    assert host.call(address, b"").data == bytes.fromhex("0000c07f")  # the canonical quiet NaN


def test_a_new_engine_never_gets_a_dead_engines_linker() -> None:
    # Linkers were cached by id(engine); a later engine at a freed address got a linker bound
    # to the dead one ("cross-Engine instantiation"). Engines come and go in workers and tests.
    import gc

    wasm = module(EXPORTS)
    seen: set[int] = set()
    reused = False
    for _ in range(30):  # until an engine lands at a dead one's address (usually at once)
        engine = WasmEngine()
        world = Host(engine)
        address = world.instantiate(world.upload(wasm), b"").address
        assert address is not None
        reused = reused or id(engine) in seen
        seen.add(id(engine))
        del engine, world
        gc.collect()
        if reused and len(seen) >= 3:
            break
    assert reused  # and every engine, at a reused address or not, ran its contract
