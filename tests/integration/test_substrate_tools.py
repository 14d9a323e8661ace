"""Substrate's own clients use a khala node unmodified: substrate-interface and @polkadot/api.

Everything they do goes through the metadata and runtime APIs the node serves: connecting,
reading the version, querying ``System.Account``, signing and submitting a transfer to
finality, composing a khala call (a sudo ``Registry.register_gatekeeper``) and decoding every
event and error of the blocks involved.
"""

from __future__ import annotations

from pathlib import Path

from substrateinterface import Keypair, SubstrateInterface

from khala.runtime.modules.registry.errors import RegistryErrorCode
from khala.runtime.presets import DEV
from khala.runtime.table import RUNTIME
from khala.runtime.version import SPEC_NAME, SPEC_VERSION
from khala.sdk import Client
from tests.integration.processes import node
from tests.integration.substrate_tools import (
    decode_every_block,
    our_event_names,
    polkadot_js,
    run_doc_examples,
    their_event_names,
)

AMOUNT = 123_456_789
UNKNOWN_WORKER = "0x" + "ab" * 32


def _camel(name: str) -> str:
    return name[0].lower() + name[1:]


def _pascal(code: str) -> str:
    return "".join(part.capitalize() for part in code.split(".", 1)[1].split("_"))


def test_substrate_interface_and_polkadot_js(tmp_path: Path) -> None:
    """Transfer, khala call, events and errors through both clients, checked against our SDK."""
    with node(tmp_path / "chain", "--block-time", "0.5") as (_, port):
        http, ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
        substrate = SubstrateInterface(url=ws, ss58_format=30)
        substrate.init_runtime()
        assert substrate.runtime_version == SPEC_VERSION
        assert substrate.properties["tokenSymbol"] == "PHA"
        pallets = [pallet.name for pallet in substrate.metadata.pallets]
        assert pallets == [module.name for module in RUNTIME.present(DEV)]

        alice = Keypair.create_from_uri("//Alice", ss58_format=30)
        bob = Keypair.create_from_uri("//Bob", ss58_format=30)
        ours = Client(http)
        before = substrate.query("System", "Account", [bob.ss58_address]).value["data"]["free"]
        assert before == ours.account(bob.public_key).data.free

        call = substrate.compose_call(
            "Balances", "transfer_keep_alive", {"dest": bob.ss58_address, "value": AMOUNT}
        )
        extrinsic = substrate.create_signed_extrinsic(call=call, keypair=alice, era={"period": 64})
        receipt = substrate.submit_extrinsic(
            extrinsic, wait_for_inclusion=True, wait_for_finalization=True
        )
        assert receipt.is_success, receipt.error_message
        events = {event.value["event_id"]: event.value for event in receipt.triggered_events}
        assert events["Transfer"]["attributes"] == {
            "source": alice.ss58_address,
            "dest": bob.ss58_address,
            "amount": AMOUNT,
        }
        assert events["TransactionFeePaid"]["attributes"]["actual_fee"] == receipt.total_fee_amount
        after = substrate.query("System", "Account", [bob.ss58_address]).value["data"]["free"]
        assert after - before == AMOUNT

        inner = substrate.compose_call(
            "Registry", "register_gatekeeper", {"pubkey": UNKNOWN_WORKER}
        )
        sudo = substrate.compose_call("Sudo", "sudo", {"call": inner})
        governed = substrate.submit_extrinsic(
            substrate.create_signed_extrinsic(call=sudo, keypair=alice),
            wait_for_inclusion=True,
            wait_for_finalization=True,
        )
        assert governed.is_success
        sudid = next(e.value for e in governed.triggered_events if e.value["event_id"] == "Sudid")
        failure = sudid["attributes"]["sudo_result"]["Err"]["Module"]
        index, error = failure["index"], int(failure["error"][2:4], 16)
        name = substrate.metadata.get_module_error(module_index=index, error_index=error).name
        assert (index, name) == (86, _pascal(RegistryErrorCode.WORKER_NOT_FOUND.value))

        too_much = substrate.compose_call(
            "Balances", "transfer_keep_alive", {"dest": alice.ss58_address, "value": 10**30}
        )
        refused = substrate.submit_extrinsic(
            substrate.create_signed_extrinsic(call=too_much, keypair=bob),
            wait_for_inclusion=True,
            wait_for_finalization=True,
        )
        assert not refused.is_success
        assert refused.error_message["name"] == "InsufficientBalance"

        blocks = [receipt.block_hash, governed.block_hash, refused.block_hash]
        for block_hash in blocks:
            assert their_event_names(substrate, block_hash) == our_event_names(ours, block_hash)

        report = polkadot_js(ws, *blocks)
        assert report["specName"] == SPEC_NAME and report["specVersion"] == SPEC_VERSION
        assert report["metadataVersion"] == 15 and report["ss58"] == 30
        assert report["pallets"] == pallets
        assert report["delta"] == report["amount"]
        assert report["aliceNonce"] == ours.account(alice.public_key).nonce
        for block_hash in blocks:
            expected = [
                f"{_camel(module)}.{event}" for module, event in our_event_names(ours, block_hash)
            ]
            assert report["decoded"][block_hash] == expected
        assert "balances.Transfer" in {event["name"] for event in report["transferEvents"]}
        expected_errors = sorted(
            [module.index, member.error_index, f"{_camel(module.name)}.{_pascal(member.value)}"]
            for module in RUNTIME.present(DEV)
            if module.errors is not None
            for member in module.errors
        )
        assert sorted(report["errors"]) == expected_errors

        python_out, js_out = run_doc_examples(port)
        assert python_out.splitlines()[1].startswith("True") and "Transfer" in python_out
        assert "balances.Transfer" in js_out.splitlines()[-1]

        seen, _ = decode_every_block(http, substrate)
        assert {module for module, _ in seen} >= {
            "System",
            "Balances",
            "TransactionPayment",
            "Sudo",
        }
