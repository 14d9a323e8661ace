"""Nested calls, instantiation from contracts, terminate and storage deposits."""

from __future__ import annotations

import pytest

from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.execution import DepositPrices, contract_address
from khala.contracts.host_table import CallFlags, ReturnCode

from .conftest import ALICE, CLUSTER, Host


def call_op(callee: bytes, data: bytes, *, flags: int = 0, gas: int = 0, value: int = 0) -> bytes:
    """The probe's call payload: flags ‖ gas ‖ callee ‖ value ‖ input."""
    return (
        flags.to_bytes(4, "little")
        + gas.to_bytes(8, "little")
        + callee
        + value.to_bytes(16, "little")
        + data
    )


@pytest.fixture
def pair(host: Host, probe: bytes, probe_wasm: bytes) -> tuple[bytes, bytes]:
    """Two probes: the one from the fixture and a second one."""
    other = host.instantiate(host.upload(probe_wasm), b"\x00", b"second").address
    assert other is not None
    return probe, other


def test_a_call_returns_the_callees_output_and_commits_both(
    host: Host, pair: tuple[bytes, bytes]
) -> None:
    a, b = pair
    outcome = host.call(a, b"\x0e" + call_op(b, b"\x01from-a"))
    assert outcome.data == bytes([ReturnCode.SUCCESS]) + b"ok"
    assert host.world.storage(b, b"k") == b"from-a"
    assert host.world.storage(a, b"k") is not None  # op 14 stored its own payload too


def test_a_reverting_callee_is_rolled_back_and_the_caller_keeps_its_writes(
    host: Host, pair: tuple[bytes, bytes]
) -> None:
    a, b = pair
    host.call(b, b"\x01kept")
    payload = call_op(b, b"\x02dropped")
    outcome = host.call(a, b"\x0e" + payload)
    assert outcome.data == bytes([ReturnCode.CALLEE_REVERTED]) + b"dropped"
    assert host.world.storage(b, b"k") == b"kept"
    assert host.world.storage(a, b"k") == payload


def test_a_trapping_callee_reports_callee_trapped(host: Host, pair: tuple[bytes, bytes]) -> None:
    a, b = pair
    host.call(b, b"\x01kept")
    outcome = host.call(a, b"\x0e" + call_op(b, b"\x03dropped"))
    assert outcome.data == bytes([ReturnCode.CALLEE_TRAPPED])
    assert host.world.storage(b, b"k") == b"kept"
    assert not outcome.reverted


def test_a_callee_out_of_its_gas_share_traps_alone(host: Host, pair: tuple[bytes, bytes]) -> None:
    a, b = pair
    outcome = host.call(a, b"\x06" + call_op(b, b"\x04loop", gas=300_000), gas=5_000_000)
    assert outcome.data == bytes([ReturnCode.CALLEE_TRAPPED])
    assert 300_000 < outcome.gas_consumed < 5_000_000


def test_reentry_needs_the_flag(host: Host, probe: bytes) -> None:
    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x06" + call_op(probe, b"\x00inner"))
    assert caught.value.code is ContractErrorCode.REENTRANCE_DENIED
    allowed = host.call(
        probe, b"\x06" + call_op(probe, b"\x00inner", flags=CallFlags.ALLOW_REENTRY)
    )
    assert allowed.data == bytes([ReturnCode.SUCCESS]) + b"inner"


def test_call_depth_is_limited(host: Host, probe: bytes) -> None:
    depth = host.engine.schedule.limits.call_depth

    def nested(levels: int) -> bytes:
        data = b"\x00bottom"
        for _ in range(levels):
            data = b"\x06" + call_op(probe, data, flags=CallFlags.ALLOW_REENTRY)
        return data

    deepest = host.call(probe, nested(depth))
    assert deepest.data.endswith(b"bottom")
    # One more level: the innermost caller traps (depth exceeded), its caller sees a trap.
    too_deep = host.call(probe, nested(depth + 1))
    assert too_deep.data[-1] == ReturnCode.CALLEE_TRAPPED


def test_a_read_only_call_cannot_write(host: Host, pair: tuple[bytes, bytes]) -> None:
    a, b = pair
    denied = host.call(a, b"\x06" + call_op(b, b"\x01x", flags=CallFlags.READ_ONLY))
    assert denied.data == bytes([ReturnCode.CALLEE_TRAPPED])
    assert host.world.storage(b, b"k") is None
    read = host.call(a, b"\x06" + call_op(b, b"\x00fine", flags=CallFlags.READ_ONLY))
    assert read.data == bytes([ReturnCode.SUCCESS]) + b"fine"


def test_value_moves_with_calls_and_rolls_back_with_traps(
    host: Host, pair: tuple[bytes, bytes]
) -> None:
    a, b = pair
    host.world.set_balance(a, 100)
    sent = host.call(a, b"\x06" + call_op(b, b"\x00", value=30))
    assert sent.data[0] == ReturnCode.SUCCESS
    assert (host.world.balance(a), host.world.balance(b)) == (70, 30)
    trapped = host.call(a, b"\x06" + call_op(b, b"\x03", value=30))
    assert trapped.data[0] == ReturnCode.CALLEE_TRAPPED
    assert (host.world.balance(a), host.world.balance(b)) == (70, 30)
    too_much = host.call(a, b"\x06" + call_op(b, b"\x00", value=71))
    assert too_much.data[0] == ReturnCode.TRANSFER_FAILED


def test_a_contract_instantiates_another(host: Host, probe: bytes, probe_wasm: bytes) -> None:
    code_hash = host.upload(probe_wasm)
    outcome = host.call(probe, b"\x0d" + code_hash + bytes([4]) + b"salt" + b"\x01child")
    assert outcome.data[0] == ReturnCode.SUCCESS
    child = outcome.data[1:33]
    assert child == contract_address(probe, code_hash, CLUSTER, b"salt")
    assert outcome.data[33:] == b"ok"
    assert host.world.storage(child, b"k") == b"child"
    assert host.world.contracts[child].deployer == probe

    reverted = host.call(probe, b"\x0d" + code_hash + bytes([5]) + b"salt2" + b"\x02no")
    assert reverted.data[0] == ReturnCode.CALLEE_REVERTED
    assert contract_address(probe, code_hash, CLUSTER, b"salt2") not in host.world.contracts
    missing = host.call(probe, b"\x0d" + b"\x77" * 32 + bytes([1]) + b"s" + b"\x00")
    assert missing.data[0] == ReturnCode.CODE_NOT_FOUND


def test_terminate_pays_out_and_removes_the_contract(
    host: Host, probe: bytes, probe_wasm: bytes
) -> None:
    host.call(probe, b"\x01stored")
    host.world.set_balance(probe, 55)
    heir = b"\x42" * 32
    outcome = host.call(probe, b"\x0b" + heir)
    assert (outcome.reverted, outcome.data) == (False, b"")
    assert probe not in host.world.contracts
    assert host.world.storage(probe, b"k") is None
    assert host.world.balance(heir) == 55
    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x00")
    assert caught.value.code is ContractErrorCode.CONTRACT_NOT_FOUND

    with pytest.raises(ContractError) as caught:
        host.instantiate(host.upload(probe_wasm), b"\x0b" + heir, b"terminal")
    assert caught.value.code is ContractErrorCode.TERMINATED_IN_CONSTRUCTOR


def test_storage_deposits_are_charged_refunded_and_limited(host: Host, probe: bytes) -> None:
    host.prices = DepositPrices(per_item=10, per_byte=1)
    host.world.set_balance(ALICE, 100)
    stored = host.call(probe, b"\x01hello")  # one item: key 1 byte + value 5 bytes
    assert stored.storage_deposit == 16
    assert host.world.balance(ALICE) == 84
    assert host.world.contracts[probe].storage_deposit == 16
    shrunk = host.call(probe, b"\x01hi")
    assert shrunk.storage_deposit == -3
    assert host.world.balance(ALICE) == 87

    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x01" + bytes(40), deposit_limit=20)
    assert caught.value.code is ContractErrorCode.STORAGE_DEPOSIT_LIMIT
    assert host.world.storage(probe, b"k") == b"hi"

    host.world.set_balance(ALICE, 5)
    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x01" + bytes(40))
    assert caught.value.code is ContractErrorCode.STORAGE_DEPOSIT_NOT_ENOUGH_FUNDS
    assert (host.world.balance(ALICE), host.world.storage(probe, b"k")) == (5, b"hi")
