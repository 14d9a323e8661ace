"""Host semantics with the probe contract: return, revert, traps, gas, input, events, debug."""

from __future__ import annotations

import pytest

from khala.contracts.errors import ContractError, ContractErrorCode
from khala.contracts.host_table import ReturnCode

from .conftest import ALICE, GAS, Host


def key_of(host: Host, address: bytes) -> bytes | None:
    return host.world.storage(address, b"k")


def test_return_passes_data_and_commits(host: Host, probe: bytes) -> None:
    outcome = host.call(probe, b"\x01hello")
    assert (outcome.reverted, outcome.data) == (False, b"ok")
    assert key_of(host, probe) == b"hello"
    assert host.call(probe, b"\x05").data == b"hello"
    assert host.call(probe, b"\x00echo").data == b"echo"


def test_revert_returns_data_and_rolls_back(host: Host, probe: bytes) -> None:
    host.call(probe, b"\x01before")
    outcome = host.call(probe, b"\x02after")
    assert (outcome.reverted, outcome.data, outcome.events) == (True, b"after", ())
    assert key_of(host, probe) == b"before"


def test_a_trap_rolls_back_and_is_typed(host: Host, probe: bytes) -> None:
    host.call(probe, b"\x01before")
    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x03after")
    assert caught.value.code is ContractErrorCode.TRAPPED
    assert "unreachable" in caught.value.message
    assert key_of(host, probe) == b"before"


def test_running_out_of_gas_is_typed_and_changes_nothing(host: Host, probe: bytes) -> None:
    host.call(probe, b"\x01before")
    balances = dict(host.world.balances)
    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x04after", gas=2_000_000)
    assert caught.value.code is ContractErrorCode.OUT_OF_GAS
    assert caught.value.gas_consumed == 2_000_000  # type: ignore[attr-defined]
    assert key_of(host, probe) == b"before"
    assert host.world.balances == balances


def test_gas_too_small_for_the_host_work_fails_before_writing(host: Host, probe: bytes) -> None:
    used = host.call(probe, b"\x01abc").gas_consumed
    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x01xyz", gas=used - 1)
    assert caught.value.code is ContractErrorCode.OUT_OF_GAS
    assert key_of(host, probe) == b"abc"
    assert host.call(probe, b"\x01xyz", gas=used).gas_consumed == used  # same work, same gas


def test_a_query_deadline_interrupts_an_endless_loop(host: Host, probe: bytes) -> None:
    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x04x", gas=10**15, deadline_s=0.2, in_query=True)
    assert caught.value.code is ContractErrorCode.DEADLINE


def test_input_is_read_once(host: Host, probe: bytes) -> None:
    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x07")
    assert caught.value.code is ContractErrorCode.INPUT_FORWARDED


def test_output_larger_than_the_payload_limit_is_refused(host: Host, probe: bytes) -> None:
    limit = host.engine.schedule.limits.payload_len
    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x00" + bytes(limit + 1))
    # The probe's input buffer holds 8192 bytes, so the oversize input itself fails first.
    assert caught.value.code is ContractErrorCode.OUTPUT_BUFFER_TOO_SMALL


def test_events_carry_topics_and_data(host: Host, probe: bytes) -> None:
    topics = [bytes([i]) * 32 for i in (1, 2)]
    outcome = host.call(probe, b"\x08" + bytes([2]) + b"".join(topics) + b"payload")
    [event] = outcome.events
    assert (event.contract, list(event.topics), event.data) == (probe, topics, b"payload")


def test_too_many_topics_trap(host: Host, probe: bytes) -> None:
    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x08" + bytes([5]) + bytes(5 * 32))
    assert caught.value.code is ContractErrorCode.TOO_MANY_TOPICS


def test_debug_messages_only_when_enabled(host: Host, probe: bytes) -> None:
    off = host.call(probe, b"\x09hi")
    assert (off.data, off.debug_message) == (bytes([ReturnCode.LOGGING_DISABLED]), "")
    on = host.call(probe, b"\x09hi", debug=True)
    assert (on.data, on.debug_message) == (bytes([ReturnCode.SUCCESS]), "hi")


def test_environment_functions(host: Host, probe: bytes) -> None:
    host.world.set_balance(ALICE, 1_000)
    outcome = host.call(probe, b"\x0f", value=250)
    caller, address = outcome.data[:32], outcome.data[32:64]
    value = int.from_bytes(outcome.data[64:80], "little")
    balance = int.from_bytes(outcome.data[80:96], "little")
    assert (caller, address, value, balance) == (ALICE, probe, 250, 250)
    assert host.world.balance(ALICE) == 750


def test_sending_more_than_the_balance_fails_typed(host: Host, probe: bytes) -> None:
    with pytest.raises(ContractError) as caught:
        host.call(probe, b"\x0f", value=1)
    assert caught.value.code is ContractErrorCode.TRANSFER_FAILED


def test_transfer_from_a_contract(host: Host, probe: bytes) -> None:
    host.world.set_balance(probe, 100)
    sent = host.call(probe, b"\x0c" + b"\xee" * 32 + (40).to_bytes(16, "little"))
    assert sent.data == bytes([ReturnCode.SUCCESS])
    assert (host.world.balance(probe), host.world.balance(b"\xee" * 32)) == (60, 40)
    refused = host.call(probe, b"\x0c" + b"\xee" * 32 + (61).to_bytes(16, "little"))
    assert refused.data == bytes([ReturnCode.TRANSFER_FAILED])
    assert host.world.balance(probe) == 60


def test_calling_a_missing_contract_or_code_is_typed(host: Host, probe: bytes) -> None:
    with pytest.raises(ContractError) as caught:
        host.call(b"\x99" * 32, b"\x00")
    assert caught.value.code is ContractErrorCode.CONTRACT_NOT_FOUND
    with pytest.raises(ContractError) as caught:
        host.instantiate(b"\x98" * 32, b"\x00")
    assert caught.value.code is ContractErrorCode.CODE_NOT_FOUND


def test_the_same_salt_twice_is_a_duplicate(host: Host, probe: bytes, probe_wasm: bytes) -> None:
    code_hash = host.upload(probe_wasm)
    with pytest.raises(ContractError) as caught:
        host.instantiate(code_hash, b"\x00", b"probe")
    assert caught.value.code is ContractErrorCode.DUPLICATE_CONTRACT
    assert host.instantiate(code_hash, b"\x00", b"other").address not in (None, probe)


def test_a_reverting_constructor_creates_nothing(host: Host, probe_wasm: bytes) -> None:
    code_hash = host.upload(probe_wasm)
    outcome = host.instantiate(code_hash, b"\x02state", b"r")
    assert outcome.reverted and outcome.address is None
    assert host.world.contracts.keys() == set() or all(
        info.code_hash != code_hash for info in host.world.contracts.values()
    )


def test_default_gas_is_plenty_for_simple_calls(host: Host, probe: bytes) -> None:
    assert host.call(probe, b"\x01x").gas_consumed < GAS // 100
