"""Executions on several threads keep their own outcomes (wasmtime-py shares one error slot)."""

from __future__ import annotations

import threading

from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.execution import Execution
from khala.contracts.world import Overlay

from .conftest import Host


def test_concurrent_returns_and_traps_do_not_mix(host: Host, probe: bytes) -> None:
    outcomes: dict[tuple[int, int], str] = {}

    def worker(thread: int) -> None:
        for index in range(150):
            trap = (index + thread) % 2 == 0
            data = b"\x03x" if trap else b"\x00" + bytes([thread, index % 256])
            execution = Execution(
                host.engine,
                Overlay(host.world),
                host.env(in_query=True, deadline_s=5.0),
                gas_limit=10**8,
            )
            try:
                outcome = execution.call(probe, data)
                outcomes[(thread, index)] = "returned:" + outcome.data.hex()
            except ContractError as error:
                outcomes[(thread, index)] = error.code.value

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for (thread, index), seen in outcomes.items():
        if (index + thread) % 2 == 0:
            assert seen == ContractErrorCode.TRAPPED.value, (thread, index, seen)
        else:
            assert seen == "returned:" + bytes([thread, index % 256]).hex(), (thread, index, seen)
    assert len(outcomes) == 600
