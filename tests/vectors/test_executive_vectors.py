"""Executive spec vectors (see tests/vectors/README.md): one block per vector."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from khala.primitives.units import parse_amount
from khala.runtime.dispatch import RuntimeCall, module_error_code
from khala.runtime.events import EventRecord
from khala.runtime.modules.balances.calls import (
    ForceSetBalance,
    TransferAllowDeath,
    TransferKeepAlive,
)
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.system.calls import Remark
from khala.runtime.modules.system.events import ExtrinsicFailed
from khala.runtime.modules.system.state import EVENTS
from khala.runtime.outer import module_index_of
from khala.runtime.types import AddressId, ApplyExtrinsic, ModuleDispatchError
from tests.runtime.harness import Harness, ed

VECTORS = json.loads((Path(__file__).parent / "executive.json").read_text())
_MODULES = {0: "System", 40: "Balances", 41: "TransactionPayment", 99: "Sudo"}


def _call(spec: list[Any]) -> RuntimeCall:
    kind, *args = spec
    if kind == "remark":
        return Remark(args[0].encode())
    dest = AddressId(ed(args[0]).public_key)
    if kind == "transfer_keep_alive":
        return TransferKeepAlive(dest, parse_amount(args[1]))
    if kind == "transfer_allow_death":
        return TransferAllowDeath(dest, parse_amount(args[1]))
    if kind == "sudo_set_balance":
        return Sudo(ForceSetBalance(dest, parse_amount(args[1])))
    raise AssertionError(f"unknown vector call {kind}")


def _event_name(record: EventRecord) -> str:
    index = module_index_of("event", record.event)
    assert index is not None
    return f"{_MODULES[index]}.{type(record.event).__name__}"


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_executive_vector(vector: dict[str, Any]) -> None:
    """Given the accounts, when the block applies the extrinsics, then the listed facts hold."""
    given, when, then = vector["given"], vector["when"], vector["then"]
    endowed = {
        ed(name).public_key: parse_amount(amount) for name, amount in given["accounts"].items()
    }
    sudo = ed(given["sudo"]).public_key if "sudo" in given else None
    harness = Harness(endowed, sudo=sudo)
    raws = [
        harness.sign(ed(item["signer"]), _call(item["call"]), nonce=item["nonce"]) for item in when
    ]
    built = harness.block(raws)
    records = EVENTS.get(harness.state())
    outcomes = []
    rejected = dict(built.rejected)
    included_index = {raw: index + 1 for index, raw in enumerate(built.included)}
    for raw in raws:
        if raw in rejected:
            outcomes.append(f"invalid:{rejected[raw].code.value}")
            continue
        if raw not in included_index:
            outcomes.append("deferred")
            continue
        phase_events = [
            record.event
            for record in records
            if isinstance(record.phase, ApplyExtrinsic)
            and record.phase.index == included_index[raw]
        ]
        failure = next(
            (event for event in phase_events if isinstance(event, ExtrinsicFailed)), None
        )
        if failure is None:
            outcomes.append("success")
        else:
            error = failure.dispatch_error
            assert isinstance(error, ModuleDispatchError)
            outcomes.append(f"failed:{module_error_code(error.error.index, error.error.error[0])}")
    assert outcomes == then["outcomes"]
    for name, amount in then.get("balances", {}).items():
        assert harness.free(ed(name)) == parse_amount(amount), name
    for name, nonce in then.get("nonces", {}).items():
        assert harness.account(ed(name)).nonce == nonce, name
    if "events" in then:
        assert [_event_name(record) for record in records] == then["events"]
    assert "0x" + harness.head.state_root.hex() == then["state_root"]
